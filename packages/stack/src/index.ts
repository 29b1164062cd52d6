export * from './infra/front-door';
export * from './infra/mongo';
export * from './infra/nats';
export * from './infra/postgres';
export * from './infra/process';
export * from './services';
