// @web/test-runner for the browser packages, in Debian's Chromium.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { chromiumArgs, chromiumPath } from './tools/chromium.mjs';
import { countingReporter } from './tools/wtr-counting-reporter.mjs';
import { wtrPlugins } from './tools/wtr-plugins.mjs';

const browserGroups = [
  { name: 'protocol', files: 'packages/protocol/src/**/*.browser.test.ts' },
  { name: 'sdk-core', files: 'packages/sdk-core/src/**/*.test.ts' },
  { name: 'web-widget', files: 'packages/web-widget/src/**/*.test.ts' },
];

export default {
  rootDir: '.',
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  groups: browserGroups,
  concurrency: 1,
  concurrentBrowsers: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300_000,
  browserStartTimeout: 60_000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.base.json' }), ...wtrPlugins()],
  browsers: [
    chromeLauncher({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs, headless: true } }),
  ],
  reporters: [
    process.env.CI ? summaryReporter({ flatten: true }) : defaultReporter(),
    countingReporter(process.env.WTR_COUNT_FILE),
  ],
};
