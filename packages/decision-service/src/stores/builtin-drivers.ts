/**
 * Registers the built-in store families: `sqlite` (embedded, the default) and `postgres`
 * (PostgreSQL + Redis, loaded only when configured). Imported by the composition root.
 */
import { join } from 'node:path';
import { openSqliteStores } from './sqlite/sqlite-stores.js';
import { registerStoreDriver } from './store-drivers.js';

/** File name of the SQLite database inside the data directory. */
export const DB_FILE_NAME = 'stepgate.db';

registerStoreDriver('sqlite', ({ dataDir, background }) =>
  openSqliteStores({ file: join(dataDir, DB_FILE_NAME), checkpointer: background ?? true }),
);

registerStoreDriver('postgres', async ({ config, log, migrate }) => {
  const { openPostgresStores } = await import('./postgres/postgres-stores.js');
  return openPostgresStores({
    url: config.store.url!,
    redis: config.store.redis!,
    ...(config.store.prefix === undefined ? {} : { prefix: config.store.prefix }),
    migrate: migrate ?? config.store.migrate,
    log,
  });
});
