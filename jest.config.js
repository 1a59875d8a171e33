/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/logging-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest', '<rootDir>/test/support/quiet-runtime.ts'],
};
