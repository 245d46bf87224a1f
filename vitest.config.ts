import { defineConfig } from 'vitest/config';

/**
 * One vitest run for every Node-side package. Each project resolves workspace packages to their
 * TypeScript sources through the `source` export condition, so tests never need a build first.
 * Browser packages run under @web/test-runner instead (web-test-runner.config.mjs).
 */
const nodeProject = (name: string, root: string) => ({
  extends: true as const,
  test: {
    name,
    root,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
  },
});

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      nodeProject('protocol', 'packages/protocol'),
      nodeProject('policy-engine', 'packages/policy-engine'),
      nodeProject('decision-service', 'packages/decision-service'),
      nodeProject('node-client', 'packages/node-client'),
      nodeProject('demo', 'demo'),
    ],
  },
});
