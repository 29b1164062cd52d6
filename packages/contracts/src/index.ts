import 'reflect-metadata';

export * from './messages';
export * from './opaque';
export * from './streams';
export * from './tunnel';
