export * from './trace-context';
export { Tracing, traceHttpRequests } from './tracing';
