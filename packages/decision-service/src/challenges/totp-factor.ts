import type { Sealer } from '../secrets/sealer.js';
import type { FactorRecord } from '../stores/store.js';
import { DEFAULT_TOTP, type TotpParams } from './totp.js';

/** What a TOTP factor keeps in `FactorRecord.data`: its parameters and the sealed secret (S9). */
interface TotpFactorData extends TotpParams {
  v: 1;
  /** AES-256-GCM under the master key, bound to the factor id. */
  secret: string;
}

const context = (factorId: string) => `totp:${factorId}`;

/** The `data` of a new TOTP factor: the secret sealed under the master key, bound to its id (S9). */
export function sealTotpFactor(
  sealer: Sealer,
  factorId: string,
  secret: Buffer,
  params: TotpParams = DEFAULT_TOTP,
): string {
  const data: TotpFactorData = { v: 1, ...params, secret: sealer.seal(secret, context(factorId)) };
  return JSON.stringify(data);
}

/**
 * The secret and parameters of a TOTP factor.
 *
 * @throws StepgateError `internal_error` when the secret cannot be opened (another master key).
 */
export function openTotpFactor(sealer: Sealer, factor: FactorRecord): { secret: Buffer; params: TotpParams } {
  const data = JSON.parse(factor.data ?? '{}') as TotpFactorData;
  return {
    secret: sealer.open(data.secret, context(factor.id)),
    params: { algorithm: data.algorithm, digits: data.digits, period: data.period },
  };
}
