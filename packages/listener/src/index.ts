export * from './args';
export * from './deliveries';
export * from './listener';
export * from './run';
