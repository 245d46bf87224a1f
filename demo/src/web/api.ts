import { createStepUpFetch, isStepUpError } from '@stepgate/sdk-core';

/** The risk panel's scenarios (the demo server maps them to an IP and a location). */
export type Network = 'home' | 'abroad' | 'datacenter' | 'tor';

let nextNetwork: Network = 'home';

/** Makes the next request look like it comes from another network. */
export function setNextNetwork(network: Network): void {
  nextNetwork = network;
}

/** The scenario the next request will use. */
export const peekNetwork = (): Network => nextNetwork;

// Every same-origin request gets the Step-Up-Context header; a step-up answer opens
// <step-up-challenge> and the request is retried once with the upgraded token.
const stepUpFetch = createStepUpFetch();

/** What the page shows after a call. */
export interface Outcome {
  status: 'ok' | 'denied' | 'cancelled' | 'error';
  httpStatus?: number;
  body: Record<string, unknown>;
  network: Network;
}

/**
 * Calls the bank's API through the step-up fetch wrapper. The demo-only network header stays on
 * the retry, since the wrapper repeats the request as it was.
 */
export async function call(path: string, init: { method?: string; json?: unknown } = {}): Promise<Outcome> {
  const network = nextNetwork;
  nextNetwork = 'home';
  const headers: Record<string, string> = { 'x-acme-demo-network': network };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await stepUpFetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const status = res.ok ? 'ok' : res.status === 403 ? 'denied' : 'error';
    return { status, httpStatus: res.status, body, network };
  } catch (error) {
    if (isStepUpError(error) && error.code === 'cancelled') return { status: 'cancelled', body: {}, network };
    // A sentence for the customer, not `String(error)` ("StepUpError: …"); the code stays for tests.
    const code = isStepUpError(error) ? error.code : 'network_error';
    return {
      status: 'error',
      body: { error: { code, message: 'The check could not be completed.' } },
      network,
    };
  }
}

/** A plain call for the demo's own helpers (mailbox, phone, audit, sign-in). */
export async function plain(path: string, json?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(path, {
    method: json === undefined ? 'GET' : 'POST',
    ...(json === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
  });
  return res.status === 204 ? {} : ((await res.json().catch(() => ({}))) as Record<string, unknown>);
}
