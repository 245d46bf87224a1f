import type { CliIo } from '../io.js';
import { cliConfig, openCliStores } from '../open-store.js';

/**
 * `stepgate migrate`: runs the pending migrations of the configured store family (SQLite file,
 * or PostgreSQL's versioned migrations) and exits. Safe to run while replicas serve: PostgreSQL
 * migrations run under an advisory lock, each in its own transaction.
 *
 * @example
 * await runMigrate({ config: 'stepgate.yaml' }, processIo);
 */
export async function runMigrate(options: { config?: string }, io: CliIo): Promise<void> {
  const config = cliConfig(options.config);
  const stores = await openCliStores(config, true);
  try {
    io.out(`store ${stores.type} migrated`);
  } finally {
    await stores.close();
  }
}
