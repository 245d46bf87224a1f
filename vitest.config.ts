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
      // Repository-wide checks: packed tarballs in an npm project, the OpenAPI lint, the docs.
      { extends: true as const, test: { name: 'repository', root: 'tools', include: ['test/**/*.test.ts'] } },
      // Framework bindings and samples: each builds its page once per file (esbuild, Vite, Angular,
      // Next) and drives it in Chromium against the real decision service (tools/test-kit).
      nodeProject('react', 'packages/react'),
      nodeProject('framework-types', 'examples/framework-types'),
      nodeProject('example-vue', 'examples/vue'),
      nodeProject('example-nextjs', 'examples/nextjs'),
      nodeProject('example-angular', 'examples/angular'),
      // The widget's element tests run in Chromium under WTR; here only its Node-driven tests in
      // test/ (the standalone bundles, built in memory and loaded with playwright-core).
      {
        extends: true as const,
        test: { name: 'web-widget', root: 'packages/web-widget', include: ['test/**/*.test.ts'] },
      },
    ],
  },
});
