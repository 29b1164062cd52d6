export * from './harness/app';
export * from './harness/test-infra';
export * from './infra/mongo';
export * from './infra/nats';
export * from './infra/process';
export * from './stack/services';
export * from './harness/wait-for';
