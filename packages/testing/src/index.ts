export * from './harness/app';
export * from './harness/test-infra';
export * from './harness/wait-for';
export * from './stack/process-stack';
export * from './harness/receiver';
export * from './harness/api-client';
export * from './harness/outcomes';
export * from './harness/metrics';
export * from './harness/delivery-jobs';
// Tests start servers through the same starters as `./hookline up`; they are the stack package's.
export * from '@hookline/stack';
export * from './harness/factories';
