import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import type { ServiceConfig } from '../config/service-config.js';
import { createLogger } from '../logging/logger.js';
import { loadMasterKey } from '../secrets/master-key.js';
import { Sealer } from '../secrets/sealer.js';
import '../stores/builtin-drivers.js';
import type { Store } from '../stores/store.js';
import { openStores } from '../stores/store-drivers.js';
import type { Stores } from '../stores/stores.js';

/** The configuration file a command uses: `--config`, else `./stepgate.yaml` when it exists. */
export function configFile(option: string | undefined): string | undefined {
  if (option !== undefined) return option;
  return existsSync('stepgate.yaml') ? 'stepgate.yaml' : undefined;
}

/** Loads the configuration (file + `STEPGATE_*`) for an offline command. */
export function cliConfig(option: string | undefined): ServiceConfig {
  const file = configFile(option);
  return loadConfig(file === undefined ? { env: process.env } : { file, env: process.env });
}

/**
 * Opens the configured store family for an offline command, without background work. Pending
 * migrations run only when `migrate` is set (SQLite always migrates).
 */
export function openCliStores(config: ServiceConfig, migrate = config.store.migrate): Promise<Stores> {
  return openStores({
    config,
    dataDir: config.dataDir,
    log: createLogger('warn'),
    migrate,
    background: false,
  });
}

/**
 * Opens the store and the sealer of a configuration (for `apikey create`, `keys rotate`);
 * `store.close()` closes the whole family.
 */
export async function openStore(
  config: ServiceConfig,
): Promise<{ store: Store; stores: Stores; sealer: Sealer }> {
  const sealer = new Sealer(
    loadMasterKey({ envValue: process.env.STEPGATE_MASTER_KEY, keyFile: config.keyFile }),
  );
  const stores = await openCliStores(config);
  return { store: stores.store, stores, sealer };
}
