const { project } = require('./jest.config.base');

/** `unit`: pure logic, fast. `integration`: real nats-server and MongoDB-wire server from @hookline/testing. */
module.exports = {
  // Integration tests start real servers; unit tests finish in milliseconds either way.
  testTimeout: 60_000,
  projects: [
    project({ displayName: 'unit', testMatch: ['**/src/**/*.spec.ts', '**/test/**/*.spec.ts'] }),
    project({
      displayName: 'integration',
      testMatch: ['**/src/**/*.int-spec.ts', '**/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/packages/testing/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/packages/testing/src/jest/global-teardown.ts',
    }),
  ],
};
