export * from './blocked-url.schema';
