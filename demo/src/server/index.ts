/**
 * Acme Bank, the Stepgate demo: `startDemo()` runs the decision service and the bank app in one
 * process (`pnpm demo` calls it; the end-to-end tests too).
 * @packageDocumentation
 */
export type { Customer, Role, Transfer } from './bank.js';
export { DEMO_CUSTOMERS } from './bank.js';
export type { NetworkName } from './network.js';
export { NETWORK_HEADER, NETWORKS } from './network.js';
export type { SeedState } from './seed.js';
export type { DemoOptions, RunningDemo } from './start-demo.js';
export { DEMO_POLICIES, startDemo } from './start-demo.js';
export { totpCode } from './totp.js';
