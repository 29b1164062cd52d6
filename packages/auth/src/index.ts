export * from './api-key.guard';
export * from './api-key.repository';
export * from './api-key.schema';
export * from './auth.module';
export * from './keys';
export * from './principal';
export * from './secret-box';
