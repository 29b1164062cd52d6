import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  registerDecorator,
  validateSync,
  type ValidationError,
} from 'class-validator';

/** Thrown at start when a setting is missing or wrong; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type ConfigClass<T extends BaseServiceConfig = BaseServiceConfig> = new () => T;

/**
 * Settings every service has. Property names are the environment variable names, so a
 * validation message names exactly what the operator has to set.
 */
export class BaseServiceConfig {
  /** 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Largest accepted request body, in the body parser's notation (e.g. 1mb); bigger ones are answered 413. */
  @Matches(/^\d+(b|kb|mb)$/)
  HTTP_BODY_LIMIT = '1mb';

  /** Deepest nesting of objects and arrays a JSON body may have (the top-level value is level 1). */
  @IsInt()
  @Min(2)
  @Max(256)
  HTTP_BODY_MAX_DEPTH = 32;

  /**
   * Which peers' X-Forwarded-For to believe (Express's `trust proxy`): the front door's address, so
   * a client's own address reaches per-address limits. `loopback` fits the local stack.
   */
  @Matches(
    /^(false|(loopback|linklocal|uniquelocal|[0-9a-fA-F:./]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F:./]+))*)$/,
  )
  HTTP_TRUST_PROXY = 'loopback';

  /** Milliseconds a shutdown may take to finish in-flight work before the process exits anyway. */
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @IsOptional()
  @IsString()
  SERVICE_VERSION?: string;

  /**
   * The OTLP/HTTP collector's base URL (spans go to `<url>/v1/traces`), e.g. http://127.0.0.1:4318.
   * Unset: tracing is off, and the OpenTelemetry SDK is not even loaded.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsIn(['http/protobuf', 'http/json'])
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' | 'http/json' = 'http/protobuf';

  /** Milliseconds between two exports of finished spans. */
  @IsInt()
  @Min(1)
  OTEL_BSP_SCHEDULE_DELAY = 5_000;

  /** The share of traces started here that are recorded (0 to 1); a trace continued from a caller keeps its decision. */
  @IsNumber()
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG = 1;
}

/** A service on NATS with JetStream (every Hookline service). */
export class NatsServiceConfig extends BaseServiceConfig {
  /** NATS server(s) with JetStream, comma-separated (e.g. nats://127.0.0.1:4222). */
  @IsString()
  @IsNotEmpty()
  NATS_URL: string;

  /** Milliseconds a JetStream publish or API call waits for the server's answer before failing (HTTP 503). */
  @IsInt()
  @Min(100)
  @Max(120_000)
  NATS_REQUEST_TIMEOUT_MS = 5_000;

  /** Milliseconds between the client's pings: two unanswered ones end a connection to a server that stopped answering. */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  NATS_PING_INTERVAL_MS = 10_000;
}

/** A service on NATS and MongoDB (the registry's data, API keys, its own collections). */
export class NatsMongoServiceConfig extends NatsServiceConfig {
  /** MongoDB connection string, database included (e.g. mongodb://127.0.0.1:27017/hookline). */
  @IsString()
  @IsNotEmpty()
  MONGO_URL: string;

  /** Milliseconds an operation waits for a server to send it to (none reachable: HTTP 503). */
  @IsInt()
  @Min(100)
  @Max(120_000)
  MONGO_SERVER_SELECTION_TIMEOUT_MS = 5_000;

  /** Milliseconds to open a connection, handshake included (also bounds each server check of the driver's monitor). */
  @IsInt()
  @Min(100)
  @Max(120_000)
  MONGO_CONNECT_TIMEOUT_MS = 5_000;

  /**
   * Milliseconds an operation waits for the server's answer on an open connection: a server that
   * accepts connections but does not answer (stopped, stalled) fails requests with 503 after this
   * rather than holding them. Longer than any query of ours takes.
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  MONGO_SOCKET_TIMEOUT_MS = 5_000;
}

/**
 * Environment booleans: implicit conversion would turn "false" into true, so accept the usual
 * spellings explicitly and leave anything else for @IsBoolean to reject.
 */
export function EnvBoolean(): PropertyDecorator {
  // Reads the raw value from `obj`: implicit conversion may already have turned "false" into true.
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const value = obj[key];
    return typeof value === 'string' ? (parseEnvBoolean(value) ?? value) : value;
  });
}

/** The usual spellings of an environment boolean; undefined for anything else. */
function parseEnvBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return undefined;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const name = prefix + error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) =>
      error.value === undefined ? `${name} is required (${reason})` : `${name}: ${reason}`,
    );
    return [...own, ...flatten(error.children ?? [], `${name}.`)];
  });
}

/** A setting that is a string `parse` accepts without throwing (lists, CIDRs, ports). */
export function Parses(parse: (value: string) => unknown, message: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'parses',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            parse(value);
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}

/** Reads and validates the environment once, at start; throws ConfigError naming each problem. */
export function loadConfig<T extends BaseServiceConfig>(
  service: string,
  cls: ConfigClass<T>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new cls() as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(env)) {
    const value = env[key];
    // Empty strings count as unset so that `FOO= ./hookline up` falls back to the default.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const merged = { ...defaults, ...coerceLikeDefaults(pick(raw, defaults, cls), defaults) };
  const config = plainToInstance(cls, merged, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(service, flatten(errors));
  return config;
}

/**
 * A setting with a default takes the default's type. Implicit conversion alone is not enough:
 * a property declared only by its initializer (`TIMEOUT_MS = 10_000`) has no reflected type.
 * A value that does not convert is left as given, so validation names it.
 */
function coerceLikeDefaults(raw: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => {
      const kind = typeof defaults[key];
      if (typeof value !== 'string') return [key, value];
      if (kind === 'number' && value.trim() !== '' && !Number.isNaN(Number(value))) return [key, Number(value)];
      if (kind === 'boolean') return [key, parseEnvBoolean(value) ?? value];
      return [key, value];
    }),
  );
}

/** Only variables the config class declares are taken from the environment. */
function pick(
  raw: Record<string, unknown>,
  defaults: Record<string, unknown>,
  cls: ConfigClass,
): Record<string, unknown> {
  const declared = new Set([...Object.keys(defaults), ...declaredProperties(cls)]);
  return Object.fromEntries(Object.entries(raw).filter(([key]) => declared.has(key)));
}

function declaredProperties(cls: ConfigClass): string[] {
  // class-validator keeps metadata per decorated property; reading it avoids a second list of names.
  return getMetadataStorage()
    .getTargetValidationMetadatas(cls, '', true, false)
    .map((meta) => meta.propertyName);
}
