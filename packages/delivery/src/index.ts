export * from './attempt';
export * from './dispatcher-pool';
export * from './http-policy';
export * from './proxy';
export * from './retry';
export * from './signing';
export * from './ssrf';
export * from './target-policy';
