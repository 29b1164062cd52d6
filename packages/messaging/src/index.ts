export * from './consumer.decorator';
export * from './consumer-runner';
export * from './disposition';
export * from './messaging.module';
export * from './nats-client';
export * from './publisher';
export * from './streams';
export * from './tenant-requests';
