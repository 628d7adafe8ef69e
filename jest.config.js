// Unit tests need nothing but Node; integration tests share one Temporal dev
// server and one FerretDB started by the global setup (see test/support/).
const transform = { '^.+\\.ts$': ['@swc/jest'] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 30,
    },
    {
      // The fault matrix (README "What the syncs survive"): servers killed and restarted, Moodle broken
      // for minutes of simulated retries. Slow, so `npm test` leaves it out and `npm run test:faults` runs it.
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 60,
    },
    {
      // The Dockerfile's build replayed (npm ci, tsc, webpack) and the image started, about a minute:
      // a project of its own so that it can be run, or left out, by name (--selectProjects).
      displayName: 'image',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/image/**/*.test.ts'],
      slowTestThreshold: 120,
    },
  ],
};
