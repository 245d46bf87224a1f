/**
 * Typed messages from the page to the native side (docs/webview.md "Messages"). Every message
 * is a JSON string with `source: "stepgate"` and `v: 1`, the same on every platform.
 */
import type { Amr, Method } from '@stepgate/protocol';
import { nativeChannel } from './detect-webview.js';

/** A step-up dialog opened for a challenge. */
export interface ChallengeStartedMessage {
  type: 'challenge_started';
  challengeId: string;
  acr: string;
  methods: Method[];
}

/** The challenge was verified; `token` is the upgraded token (the native app may use it too). */
export interface ChallengeCompletedMessage {
  type: 'challenge_completed';
  challengeId: string;
  token: string;
  acr: string;
  amr: Amr[];
  expiresAt: string;
}

/** The user closed the dialog. */
export interface ChallengeCancelledMessage {
  type: 'challenge_cancelled';
  challengeId: string;
}

/** The step-up failed; `code` is a {@link StepUpError} code. */
export interface ChallengeErrorMessage {
  type: 'challenge_error';
  challengeId?: string;
  code: string;
  message: string;
}

/** Asks the native side to sign `challenge` (base64url bytes) with its enrolled device key. */
export interface SignRequestMessage {
  type: 'sign_request';
  /** Correlates the answer; echoed back in the `stepgate:native` event. */
  id: string;
  challengeId: string;
  challenge: string;
}

/** Any message the page posts to the native side. */
export type BridgeMessage =
  | ChallengeStartedMessage
  | ChallengeCompletedMessage
  | ChallengeCancelledMessage
  | ChallengeErrorMessage
  | SignRequestMessage;

/** The wire form of a {@link BridgeMessage}. */
export type BridgeEnvelope = BridgeMessage & { source: 'stepgate'; v: 1 };

/**
 * Posts a message and returns the native `postMessage` result (a reply Promise on iOS with
 * `WKScriptMessageHandlerWithReply`); `undefined` result and `posted: false` outside a webview.
 */
export function sendToNative(message: BridgeMessage): { posted: boolean; result?: unknown } {
  const channel = nativeChannel();
  if (!channel) return { posted: false };
  const envelope: BridgeEnvelope = { source: 'stepgate', v: 1, ...message };
  try {
    return { posted: true, result: channel(JSON.stringify(envelope)) };
  } catch {
    return { posted: false };
  }
}

/**
 * Posts a message to the native side of the webview, if the page runs in one.
 *
 * @returns `true` when a native channel took the message, `false` outside a webview or when
 *   the channel threw (a page must keep working without its native side).
 * @example
 * postBridgeMessage({ type: 'challenge_cancelled', challengeId: 'chl_…' });
 */
export function postBridgeMessage(message: BridgeMessage): boolean {
  return sendToNative(message).posted;
}
