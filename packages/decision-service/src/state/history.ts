import type { CompiledPolicy, HistorySnapshot } from '@stepgate/policy-engine';
import type { Level, Method } from '@stepgate/protocol';
import type { UserState } from '../stores/store.js';

/**
 * The user's enrolled methods with the highest level each reaches: stored factors, plus an email
 * address (`email_otp`) and a phone number (`sms_otp`) set through `PUT /v1/users/{id}`, which
 * reach the level the policies give their method.
 */
export function enrolledMethods(
  state: UserState,
  policy: CompiledPolicy,
): Array<{ method: Method; maxLevel: Level }> {
  const out: Array<{ method: Method; maxLevel: Level }> = state.factors.map((f) => ({
    method: f.method,
    maxLevel: f.maxLevel,
  }));
  if (state.user?.email) out.push({ method: 'email_otp', maxLevel: policy.methodLevels.email_otp });
  if (state.user?.phone) out.push({ method: 'sms_otp', maxLevel: policy.methodLevels.sms_otp });
  return out;
}

/**
 * Turns the stored state into the engine's history snapshot. `rememberedToken` is true only when
 * the service verified a device token it signed for this same user (S25); the fingerprint is a
 * weak hint the engine may only use to raise risk.
 */
export function historySnapshot(
  state: UserState,
  policy: CompiledPolicy,
  rememberedToken: boolean,
): HistorySnapshot {
  const snapshot: HistorySnapshot = {
    enrolledMethods: enrolledMethods(state, policy),
    device: {
      rememberedToken,
      fingerprintSeen: state.fingerprintSeen,
      accountsOnDevice: state.accountsOnDevice,
    },
    recentFailures: state.recentFailures,
    actionCounts: state.actionCounts,
  };
  if (state.lastSeen) {
    const last: NonNullable<HistorySnapshot['last']> = { at: Math.floor(state.lastSeen.at / 1000) };
    if (state.lastSeen.geo) last.geo = state.lastSeen.geo;
    if (state.lastSeen.ip) last.ip = state.lastSeen.ip;
    snapshot.last = last;
  }
  return snapshot;
}
