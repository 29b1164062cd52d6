import 'reflect-metadata';

export * from './messages';
export * from './streams';
export * from './tunnel';
