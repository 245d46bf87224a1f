/**
 * Test kit shared by the framework samples' tests (packages/react, examples/*, the plain-HTML
 * snippet): the real decision service, a demo-like app guarded with node-client, and Chromium.
 */
export { answerEmailCode, launchChromium, signedInPage } from './browser.js';
export {
  type SampleApp,
  type SampleAppOptions,
  SESSION_COOKIE,
  type StaticFile,
  startSampleApp,
  type Transfer,
} from './sample-app.js';
export { SAMPLE_POLICIES, SAMPLE_USER, type SampleService, startSampleService } from './sample-service.js';
export {
  describeTransferStepUp,
  type SampleSuite,
  sampleSuite,
  type TransferSample,
} from './sample-suite.js';
