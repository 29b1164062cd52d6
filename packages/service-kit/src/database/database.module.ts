import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { BaseServiceConfig, ConfigClass } from '../config/config';
import { ReadinessRegistry } from '../health/readiness.registry';

export interface DatabaseOptions<C extends BaseServiceConfig> {
  /** The service's config class; `url` picks the MongoDB URL out of it. */
  config: ConfigClass<C>;
  url: (config: C) => string;
}

@Module({})
class DatabaseReadiness implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('mongodb', async () => {
      const db = this.connection.db;
      if (!db || this.connection.readyState !== 1) return { ok: false, detail: 'not connected' };
      await db.admin().ping();
      return { ok: true };
    });
  }
}

/** MongoDB through mongoose, with a readiness check. */
@Module({})
export class DatabaseModule {
  static forRoot<C extends BaseServiceConfig>(options: DatabaseOptions<C>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [options.config],
          useFactory: (config: C) => ({
            uri: options.url(config),
            serverSelectionTimeoutMS: 5_000,
            // FerretDB and single-node servers have no retryable writes.
            retryWrites: false,
          }),
        }),
        DatabaseReadiness,
      ],
    };
  }
}
