export * from './routes';
export * from './caddy';
export * from './openapi';
export * from './generate';
export * from './ingress';
export * from './site';
export * from './response-check';
