import type { AddressInfo } from 'node:net';
import type { Geo, Subject } from '@stepgate/protocol';
import type { GuardWarning, ProxyOptions, TrustProxy } from '../../src/express/index.js';
import type { Stepgate } from '../../src/index.js';

/** Guard settings the contract suite varies; each harness maps them onto its framework. */
export interface HarnessOptions {
  trustProxy?: TrustProxy;
  /** The framework's own proxy setting (Express `trust proxy`, Fastify `trustProxy`). */
  appTrustProxy?: string;
  geo?: 'cdn' | false | 'callback';
  proxy?: false | ProxyOptions;
  /** Receives what the guard turned into a 5xx. */
  onError?: (error: unknown) => void;
  /** Receives the warnings of the adapter's creation. @defaultValue none kept (a quiet test log) */
  onWarning?: (warning: GuardWarning) => void;
  /** getSubject() throws instead of reading the `x-test-user` header. */
  subjectThrows?: boolean;
}

/** A running app with `POST /guarded` (action `payments.transfer`, transaction = JSON body), `GET /open` and the proxy. */
export interface HarnessApp {
  url: string;
  close(): Promise<void>;
}

/** One framework adapter under the shared contract suite. */
export interface AdapterHarness {
  name: string;
  /** Whether the framework has a proxy setting of its own (`appTrustProxy`). */
  frameworkTrust?: boolean;
  start(stepgate: Stepgate, options?: HarnessOptions): Promise<HarnessApp>;
}

/** The subject every harness reads: the `x-test-user` header stands in for the app's session. */
export function subjectFrom(
  header: string | string[] | null | undefined,
  options: HarnessOptions,
): Subject | null {
  if (options.subjectThrows) throw new Error('session store down');
  const id = Array.isArray(header) ? header[0] : header;
  return id ? { id, sessionId: `sess_${id}`, acr: 'aal1' } : null;
}

/** The geo setting for a harness: the callback variant answers a fixed position. */
export function geoOption<Req>(options: HarnessOptions): 'cdn' | false | ((req: Req) => Geo) {
  return options.geo === 'callback'
    ? () => ({ country: 'NZ', lat: -41.29, lon: 174.78 })
    : (options.geo ?? 'cdn');
}

/** The guard options every harness passes through as they are. */
export function passThrough(options: HarnessOptions): {
  trustProxy?: TrustProxy;
  proxy?: false | ProxyOptions;
  onError?: (error: unknown) => void;
  onWarning: (warning: GuardWarning) => void;
} {
  return {
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    onWarning: options.onWarning ?? (() => {}),
  };
}

/** The loopback URL of a listening node:http server. */
export function urlOf(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}
