import { createApiKey } from '../../secrets/api-keys.js';
import { KEY_REFRESH_MS } from '../../start.js';
import { KeyRing, keyRetention } from '../../tokens/key-ring.js';
import { CliError, type CliIo } from '../io.js';
import { cliConfig, openStore } from '../open-store.js';

/** Options of `stepgate apikey create`. */
export interface ApiKeyCreateOptions {
  config?: string;
  admin?: boolean;
  /** @defaultValue the first configured audience */
  audience?: string;
  label?: string;
}

/**
 * `stepgate apikey create`: creates an API key, stores only its HMAC and prints the key once.
 *
 * @throws CliError when the audience is not configured.
 */
export async function runApiKeyCreate(options: ApiKeyCreateOptions, io: CliIo): Promise<string> {
  const config = cliConfig(options.config);
  const audience = options.audience ?? config.audiences[0]!;
  if (!config.audiences.includes(audience)) {
    throw new CliError(
      `audience "${audience}" is not configured (audiences: ${config.audiences.join(', ')})`,
    );
  }
  const { store, sealer } = await openStore(config);
  try {
    const created = await createApiKey(store, sealer, {
      audience,
      admin: options.admin ?? false,
      now: Date.now(),
      ...(options.label === undefined ? {} : { label: options.label }),
    });
    io.out(created.key);
    io.err(
      `Created ${options.admin ? 'admin ' : ''}API key ${created.id} for audience "${audience}". It is shown only once.`,
    );
    return created.key;
  } finally {
    await store.close();
  }
}

/**
 * `stepgate apikey revoke ID`: marks an API key revoked.
 *
 * @throws CliError when there is no such unrevoked key.
 */
export async function runApiKeyRevoke(id: string, options: { config?: string }, io: CliIo): Promise<void> {
  const { store } = await openStore(cliConfig(options.config));
  try {
    if (!(await store.revokeApiKey(id, Date.now()))) throw new CliError(`no unrevoked API key ${id}`);
    io.out(`revoked ${id}`);
  } finally {
    await store.close();
  }
}

/**
 * `stepgate apikey list`: every API key without its secret (only the HMAC is stored, and it is
 * not printed either): id, audience, admin, label, created and revoked times. `--format json`
 * prints one JSON array for scripts.
 */
export async function runApiKeyList(
  options: { config?: string; format?: 'table' | 'json' },
  io: CliIo,
): Promise<void> {
  const { store } = await openStore(cliConfig(options.config));
  try {
    const keys = (await store.listApiKeys()).map((k) => ({
      id: k.id,
      audience: k.audience,
      admin: k.admin,
      label: k.label ?? null,
      createdAt: new Date(k.createdAt).toISOString(),
      revokedAt: k.revokedAt === undefined ? null : new Date(k.revokedAt).toISOString(),
    }));
    if (options.format === 'json') {
      io.out(JSON.stringify(keys, null, 2));
      return;
    }
    if (keys.length === 0) {
      io.out('no API keys (create one with "stepgate apikey create")');
      return;
    }
    const rows = [
      ['ID', 'AUDIENCE', 'ADMIN', 'CREATED', 'REVOKED', 'LABEL'],
      ...keys.map((k) => [
        k.id,
        k.audience,
        k.admin ? 'yes' : 'no',
        k.createdAt,
        k.revokedAt ?? '-',
        k.label ?? '',
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd();
    io.out(rows.map(line).join('\n'));
  } finally {
    await store.close();
  }
}

/**
 * `stepgate keys rotate`: adds a signing key and retires the current one. Old public keys stay
 * in the JWKS until their tokens expire; running services pick the new key up within a minute.
 */
export async function runKeysRotate(
  options: { config?: string; use?: 'step_up' | 'device' },
  io: CliIo,
): Promise<string> {
  const config = cliConfig(options.config);
  const { store, sealer } = await openStore(config);
  try {
    const ring = new KeyRing({
      store,
      sealer,
      now: Date.now,
      retentionMs: keyRetention(config.tokens, KEY_REFRESH_MS),
    });
    await ring.refresh();
    const kid = await ring.rotate(options.use ?? 'step_up');
    io.out(`new ${options.use ?? 'step_up'} signing key: ${kid}`);
    return kid;
  } finally {
    await store.close();
  }
}
