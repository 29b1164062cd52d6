// One jest config base for every package and app: SWC compiles TypeScript with the legacy
// decorators and metadata NestJS needs; workspace packages resolve to their sources.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const root = __dirname;

/** @param {{ displayName: string, testMatch: string[], [k: string]: unknown }} project */
function project(project) {
  return {
    rootDir: root,
    roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/test'],
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': swc },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: { '^@hookline/([a-z-]+)$': path.join(root, 'packages/$1/src') },
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    ...project,
  };
}

module.exports = { project };
