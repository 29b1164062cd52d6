export * from './infra/mongo';
export * from './infra/nats';
export * from './infra/process';
