import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { ServiceAuditLog } from './audit/audit-port.js';
import { openServiceAudit } from './audit/service-audit.js';
import { buildChallengeDeps } from './challenges/challenge-wiring.js';
import { ConfigError } from './config/config-error.js';
import { issuerWarning } from './config/issuer-check.js';
import { loadConfig } from './config/load-config.js';
import type { ServiceConfig, ServiceConfigInput } from './config/service-config.js';
import { buildApp } from './http/build-app.js';
import { openMetricsListener } from './http/metrics-listener.js';
import { openWebAuthn } from './http/webauthn-features.js';
import { openIdentityProviders } from './idps/identity-providers.js';
import { createLogger } from './logging/logger.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { isInlinePolicyText, type PolicyInput } from './policies/load-policies.js';
import { PolicyHolder, type ReloadResult } from './policies/policy-holder.js';
import { createApiKey } from './secrets/api-keys.js';
import { loadMasterKey } from './secrets/master-key.js';
import { Sealer } from './secrets/sealer.js';
import { createSenders } from './senders/create-senders.js';
import type { ServiceContext } from './service-context.js';
import { type GeoResolver, openMaxmind } from './state/geo-resolver.js';
import { DB_FILE_NAME } from './stores/builtin-drivers.js';
import type { PurgeBefore, Store } from './stores/store.js';
import { openStores } from './stores/store-drivers.js';
import type { Stores } from './stores/stores.js';
import { KeyRing, keyRetention } from './tokens/key-ring.js';
import { TokenService } from './tokens/token-service.js';

export { DB_FILE_NAME };

/** How often a running service re-reads its signing keys and purges expired rows, ms. */
export const KEY_REFRESH_MS = 30_000;

/**
 * What housekeeping at `t` (ms) deletes: action counts and failures outside the history window,
 * decisions past `decisions.retention` (feedback then answers 404; the audit log keeps them),
 * and remembered-device tokens a day past their expiry and the tolerated clock difference (such a
 * token is refused as expired anyway; its row only said whether it was revoked).
 */
export function purgeCutoffs(
  config: Pick<ServiceConfig, 'history' | 'decisions' | 'tokens'>,
  t: number,
): PurgeBefore {
  return {
    history: t - config.history.window * 1000,
    decisions: t - config.decisions.retention * 1000,
    deviceTokens: t - config.tokens.clockSkew * 1000 - 86_400_000,
  };
}

/** Options of {@link startDecisionService}. */
export interface StartOptions {
  /** Directory of the SQLite store and (by default) the key file. @defaultValue config `dataDir`, else a fresh temp dir */
  dataDir?: string;
  /**
   * The stores to use, opened and migrated by the caller (who keeps them: `close()` closes them
   * too). @defaultValue the family `store.type` names, opened through the driver registry
   */
  stores?: Stores;
  /** Run pending store migrations at start (SQLite always does). @defaultValue config `store.migrate` */
  migrate?: boolean;
  /** @defaultValue config `server.port`; `0` picks a free port */
  port?: number;
  /** @defaultValue config `server.host` ('127.0.0.1') */
  host?: string;
  /** A configuration object, or the path of a YAML/JSON configuration file. */
  config?: ServiceConfigInput | string;
  /** Policies: a document, YAML/JSON text, a file path, or a list of them (merged after config files). */
  policies?: PolicyInput | PolicyInput[];
  /** Unix milliseconds, for tests. @defaultValue Date.now */
  clock?: () => number;
  /** Environment for `STEPGATE_*` overrides and `STEPGATE_MASTER_KEY`. @defaultValue {} (the CLI passes process.env) */
  env?: NodeJS.ProcessEnv;
  /** A logger; otherwise one is made at the configured level (`silent` unless the config sets one). */
  logger?: Logger;
  /** Reload policies when their files change. @defaultValue true */
  watchPolicies?: boolean;
  /** Reload policies on SIGHUP. @defaultValue false (the CLI sets it) */
  handleSignals?: boolean;
  /** Create the key file when it does not exist. @defaultValue true */
  createKeyFile?: boolean;
  /** Audience of the returned `apiKey`. @defaultValue the first configured audience */
  audience?: string;
  /**
   * Create a fresh admin key and API key at start (returned as `adminKey` and `apiKey`).
   * `stepgate serve` turns it off; keys then come from `stepgate apikey create`.
   * @defaultValue true
   */
  createApiKeys?: boolean;
  /**
   * Development checks (`stepgate serve --dev`): warns in the log when `issuer` is not the URL the
   * service listens on, so minted tokens do not carry another port's `iss`.
   * @defaultValue false
   */
  dev?: boolean;
}

/** A running service. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** A fresh admin API key (created at start, shown only here); '' when `createApiKeys` is false. */
  adminKey: string;
  /** A fresh API key scoped to the default audience; '' when `createApiKeys` is false. */
  apiKey: string;
  /** The effective configuration. */
  config: ServiceConfig;
  /** Mints and verifies tokens: tests and the challenge routes use it. */
  tokens: TokenService;
  /** The store (for tests and tools). */
  store: Store;
  /** Every store of the family (for tests and tools). */
  stores: Stores;
  /** The audit log (`<dataDir>/audit.db`, or PostgreSQL's shared chain): challenge events and tools append to it. */
  audit: ServiceAuditLog;
  /** The Prometheus metrics served at `/metrics`. */
  metrics: ServiceMetrics;
  /** Base URL of the metrics listener when `metrics.listener` is set (`${metricsUrl}/metrics`). */
  metricsUrl?: string;
  /** Re-reads the policies now (as SIGHUP does). */
  reloadPolicies(): ReloadResult;
  /** The compiled policy version in force. */
  policyVersion(): string;
  /** Stops listening, finishes in-flight requests and closes the store. */
  close(): Promise<void>;
}

function configInputs(options: StartOptions): { file?: string; config?: ServiceConfigInput } {
  if (typeof options.config === 'string') return { file: options.config };
  return options.config === undefined ? {} : { config: options.config };
}

/**
 * Starts the decision service in this process: the store family (SQLite by default), signing
 * keys, policies, HTTP.
 *
 * @example
 * const svc = await startDecisionService({ port: 0, policies: 'default: allow\npolicies: []\n' });
 * const res = await fetch(`${svc.url}/v1/decisions`, { method: 'POST',
 *   headers: { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ subject: { id: 'u1' }, action: { name: 'payments.transfer' } }) });
 * await svc.close();
 * @throws ConfigError for an invalid configuration; PolicyError for invalid policies.
 */
export async function startDecisionService(options: StartOptions = {}): Promise<RunningService> {
  const env = options.env ?? {};
  const inputs = configInputs(options);
  const base = loadConfig({ ...inputs, env });
  const explicitDir =
    options.dataDir ??
    (inputs.config?.dataDir !== undefined || inputs.file || env.STEPGATE_DATA_DIR ? base.dataDir : undefined);
  const dataDir = resolve(explicitDir ?? mkdtempSync(join(tmpdir(), 'stepgate-')));
  const keyFileSet =
    inputs.config?.keyFile !== undefined || inputs.file !== undefined || env.STEPGATE_KEY_FILE;
  const config: ServiceConfig = {
    ...base,
    dataDir,
    keyFile: keyFileSet ? base.keyFile : join(dataDir, 'stepgate.key'),
    server: {
      ...base.server,
      port: options.port ?? base.server.port,
      host: options.host ?? base.server.host,
    },
    // `--dev` turns the operator console on.
    console: { enabled: base.console.enabled || options.dev === true },
  };
  const configuredLevel =
    inputs.config?.logLevel ?? (inputs.file || env.STEPGATE_LOG_LEVEL ? config.logLevel : 'silent');
  const log = options.logger ?? createLogger(configuredLevel);
  const now = options.clock ?? Date.now;

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqliteFileExisted = existsSync(join(dataDir, DB_FILE_NAME));
  const stores =
    options.stores ??
    (await openStores({ config, dataDir, log, migrate: options.migrate ?? config.store.migrate }));
  const store = stores.store;
  let policies: PolicyHolder | undefined;
  let geo: GeoResolver | undefined;
  let audit: ServiceAuditLog | undefined;
  let listening: { close(): Promise<unknown> } | undefined;
  try {
    // A new master key is only made for a new store: with existing data it would make every
    // sealed secret unreadable, so a missing key file is then an error.
    const newStore =
      stores.type === 'sqlite'
        ? !sqliteFileExisted
        : (await stores.keys.listSigningKeys('step_up')).length === 0;
    const sealer = new Sealer(
      loadMasterKey({
        envValue: env.STEPGATE_MASTER_KEY,
        keyFile: config.keyFile,
        createIfMissing: (options.createKeyFile ?? true) && newStore,
      }),
    );
    const inline: PolicyInput[] = [];
    const files = [...config.policies];
    const given =
      options.policies === undefined
        ? []
        : Array.isArray(options.policies)
          ? options.policies
          : [options.policies];
    for (const p of given) {
      if (typeof p === 'string' && !isInlinePolicyText(p)) files.push(resolve(p));
      else inline.push(p);
    }
    if (files.length === 0 && inline.length === 0) {
      throw new ConfigError(
        { path: '/policies' },
        'no policies configured: set "policies" in the config or STEPGATE_POLICIES ("stepgate init" writes an example)',
      );
    }
    // Discovery first: policies naming `idp:<id>` are checked against the providers.
    const idps = await openIdentityProviders(config.idps, { log });
    policies = new PolicyHolder(
      {
        files,
        inline,
        ipListFiles: config.ipLists,
        acrValues: config.acrValues,
        idps: idps.reach(),
      },
      log,
    );
    if (config.maxmindDb) geo = await openMaxmind(config.maxmindDb);
    const keys = new KeyRing({
      store,
      sealer,
      now,
      retentionMs: keyRetention(config.tokens, KEY_REFRESH_MS),
    });
    await keys.refresh();
    const tokens = new TokenService(
      keys,
      store,
      {
        issuer: config.issuer,
        stepUpLifetime: config.tokens.lifetime,
        deviceLifetime: config.tokens.deviceLifetime,
        clockSkew: config.tokens.clockSkew,
      },
      now,
    );
    const holderForMetrics = policies;
    const metrics = new ServiceMetrics({
      policyReloads: () => ({ ok: holderForMetrics.reloads, failed: holderForMetrics.failedReloads }),
    });
    audit = await openServiceAudit({
      dataDir,
      settings: config.audit,
      metrics,
      log,
      now,
      open: stores.openAudit?.bind(stores),
    });
    const challengeStore = stores.challenges;
    const webauthn = await openWebAuthn(stores.webauthn, config.webauthn, { now, log });
    const senders = createSenders(config.senders, now);
    const challengeDeps = buildChallengeDeps({
      config,
      store,
      challengeStore,
      sealer,
      tokens,
      senders,
      policies,
      log,
      now,
      webauthn,
      audit,
      metrics,
    });
    const ctx: ServiceContext = {
      config,
      store,
      sealer,
      keys,
      tokens,
      policies,
      geo,
      idps,
      log,
      now,
      challengeDeps,
      audit,
      metrics,
    };
    const audience = options.audience ?? config.audiences[0]!;
    // `stepgate serve` turns this off: a restart must not leave another unrevoked admin key behind.
    const createKeys = options.createApiKeys ?? true;
    const admin = createKeys
      ? await createApiKey(store, sealer, { audience, admin: true, label: 'startup admin', now: now() })
      : undefined;
    const api = createKeys
      ? await createApiKey(store, sealer, { audience, admin: false, label: 'startup', now: now() })
      : undefined;
    const { app } = await buildApp(ctx);
    await app.listen({ port: config.server.port, host: config.server.host });
    listening = app;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const metricsListener = await openMetricsListener(config, metrics, app.stepgate.apiKeys, log);
    if (options.watchPolicies ?? true) policies.watch();
    const holder = policies;
    const onHup = () => holder.reload();
    if (options.handleSignals) process.on('SIGHUP', onHup);
    // Housekeeping: expired rows go, and keys rotated by `stepgate keys rotate` or another
    // replica are picked up.
    const purge = setInterval(() => {
      const t = now();
      stores
        .purgeExpired(t, purgeCutoffs(config, t))
        .catch((err: unknown) => log.warn({ err }, 'purge failed'));
      keys.refresh().catch((err: unknown) => log.warn({ err }, 'key refresh failed'));
    }, KEY_REFRESH_MS);
    purge.unref();
    log.info(
      { url: `http://${host}:${port}`, policyVersion: policies.current.version },
      'stepgate decision service started',
    );
    if (options.dev) {
      const warning = issuerWarning(config.issuer, config.server.host, port);
      if (warning !== undefined) log.warn({ issuer: config.issuer, url: `http://${host}:${port}` }, warning);
    }
    let closed = false;
    const auditLog = audit;
    return {
      url: `http://${host}:${port}`,
      port,
      adminKey: admin?.key ?? '',
      apiKey: api?.key ?? '',
      config,
      tokens,
      store,
      stores,
      audit,
      metrics,
      ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
      reloadPolicies: () => holder.reload(),
      policyVersion: () => holder.current.version,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(purge);
        if (options.handleSignals) process.off('SIGHUP', onHup);
        holder.close();
        await metricsListener?.close();
        await app.close();
        senders.close();
        geo?.close();
        await auditLog.close();
        await stores.close();
      },
    };
  } catch (error) {
    await listening?.close();
    policies?.close();
    geo?.close();
    await audit?.close();
    await stores.close();
    throw error;
  }
}
