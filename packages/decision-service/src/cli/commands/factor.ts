import { userInfo } from 'node:os';
import { join } from 'node:path';
import { METHODS, type Method } from '@stepgate/protocol';
import { AuditLog } from '../../audit/audit-log.js';
import { AUDIT_DB_FILE_NAME } from '../../audit/audit-schema.js';
import { authenticatorKey, userCounterKey } from '../../challenges/attempts.js';
import type { Store } from '../../stores/store.js';
import { CliError, type CliIo } from '../io.js';
import { cliConfig, openCliStores } from '../open-store.js';

/** One authenticator `factor unlock` resets. */
interface UnlockTarget {
  key: string;
  method: Method;
  factorId?: string;
}

/** Who ran the command, as the OS knows them (recorded in the audit record). */
function operatorName(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `stepgate factor unlock USER FACTOR`: unlocks an authenticator locked after
 * `challenges.lockout.authenticator` consecutive failures (S35; NIST SP 800-63B §5.2.2) — a
 * factor by id, or by method every factor of it (`totp`, `webauthn`, `biometric`) or the user's
 * contact point (`email_otp`, `sms_otp`). It resets those counters and the user's own back-off,
 * after writing one `factor.unlocked` record per authenticator (outcome `operator`, the OS user,
 * the failures cleared) to the audit log: an unlock that cannot be audited does not happen.
 * Safe while the service runs on the same data directory.
 *
 * @throws CliError when the user has no such factor.
 * @example
 * await runFactorUnlock('u-42', 'fac_01J…', { config: 'stepgate.yaml' }, processIo);
 */
export async function runFactorUnlock(
  userId: string,
  factor: string,
  options: { config?: string },
  io: CliIo,
): Promise<UnlockTarget[]> {
  const config = cliConfig(options.config);
  const stores = await openCliStores(config);
  const { store, challenges } = stores;
  try {
    const targets = await unlockTargets(store, userId, factor);
    const before = await challenges.readCounters(targets.map((t) => t.key));
    const audit = stores.openAudit
      ? await stores.openAudit({})
      : await AuditLog.open({
          file: join(config.dataDir, AUDIT_DB_FILE_NAME),
          synchronous: config.audit.synchronous,
        });
    try {
      const operator = operatorName();
      for (const t of targets) {
        await audit.append({
          type: 'factor.unlocked',
          who: { userId, operator },
          what: { method: t.method },
          ...(t.factorId === undefined ? {} : { factorId: t.factorId }),
          outcome: 'operator',
          detail: { failures: before[t.key]?.failures ?? 0 },
        });
      }
    } finally {
      await audit.close();
    }
    await challenges.resetCounters([...targets.map((t) => t.key), userCounterKey(userId)]);
    for (const t of targets) {
      io.out(
        `unlocked ${t.factorId ?? t.method} of ${userId}: ${before[t.key]?.failures ?? 0} consecutive failures cleared`,
      );
    }
    return targets;
  } finally {
    await stores.close();
  }
}

async function unlockTargets(store: Store, userId: string, factor: string): Promise<UnlockTarget[]> {
  if (factor === 'email_otp' || factor === 'sms_otp') {
    // Counted per user and method, so a counter outlives a changed or removed contact point.
    if (!(await store.getUser(userId))) throw new CliError(`no user ${userId}`);
    return [{ key: authenticatorKey(factor, userId), method: factor }];
  }
  const factors = await store.listFactors(userId);
  const matching = (METHODS as readonly string[]).includes(factor)
    ? factors.filter((f) => f.method === factor)
    : factors.filter((f) => f.id === factor);
  if (matching.length === 0) throw new CliError(`user ${userId} has no factor ${factor}`);
  return matching.map((f) => ({
    key: authenticatorKey(f.method, userId, f.id),
    method: f.method,
    factorId: f.id,
  }));
}
