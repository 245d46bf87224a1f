import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { ServiceConfig } from '../config/service-config.js';
import { loadMasterKey } from '../secrets/master-key.js';
import { Sealer } from '../secrets/sealer.js';
import { DB_FILE_NAME } from '../start.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';

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

/** Opens the store and the sealer of a configuration (for `apikey create`, `keys rotate`). */
export async function openStore(config: ServiceConfig): Promise<{ store: SqliteStore; sealer: Sealer }> {
  const sealer = new Sealer(
    loadMasterKey({ envValue: process.env.STEPGATE_MASTER_KEY, keyFile: config.keyFile }),
  );
  const store = new SqliteStore({ file: join(config.dataDir, DB_FILE_NAME) });
  await store.migrate();
  return { store, sealer };
}
