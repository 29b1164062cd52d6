export * from './blocked-url.schema';
export * from './blocked-url.response';
