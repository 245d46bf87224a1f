/**
 * "One `<step-up-challenge>` placed anywhere in the page becomes sdk-core's handler": the first
 * connected element registers with `setStepUpHandler`; when it leaves the page the next one
 * still connected takes over, and the last one unregisters.
 */
import type { StepUpInfo, VerifyAnswer } from '@stepgate/protocol';
import { setStepUpHandler } from '@stepgate/sdk-core';

/** What the registry needs from an element. */
export interface StepUpHost {
  stepUp(challenge: StepUpInfo, options: { signal: AbortSignal }): Promise<VerifyAnswer>;
}

const hosts: StepUpHost[] = [];
let unregister: (() => void) | undefined;

function elect(): void {
  unregister?.();
  unregister = undefined;
  const host = hosts[0];
  if (host) unregister = setStepUpHandler((challenge, options) => host.stepUp(challenge, options));
}

/** Adds a connected element; the first one becomes the handler. */
export function addHost(host: StepUpHost): void {
  if (hosts.includes(host)) return;
  hosts.push(host);
  if (hosts.length === 1) elect();
}

/** Removes a disconnected element; if it was the handler, the next one takes over. */
export function removeHost(host: StepUpHost): void {
  const i = hosts.indexOf(host);
  if (i < 0) return;
  hosts.splice(i, 1);
  if (i === 0) elect();
}

/** The element that is sdk-core's handler now, if any. */
export function currentHost(): StepUpHost | undefined {
  return hosts[0];
}
