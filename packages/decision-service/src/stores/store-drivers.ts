/**
 * The driver registry of store families (as Cerbos's `NewFromConf`): the configuration's
 * `store.type` names a driver, which opens a {@link Stores} bundle. `sqlite` (the default) and
 * `postgres` (PostgreSQL + Redis) are built in; an outside family registers its own name.
 */
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { Stores } from './stores.js';

/** What a driver gets to open its stores. */
export interface StoreDriverContext {
  config: ServiceConfig;
  /** The data directory in use (SQLite keeps its file there). */
  dataDir: string;
  log: Logger;
  /**
   * Whether to run pending migrations (SQLite always does). `stepgate serve` passes
   * `store.migrate`; `stepgate migrate` passes true. @defaultValue config `store.migrate`
   */
  migrate?: boolean;
  /** Start background work (SQLite's WAL checkpointer); offline commands pass false. @defaultValue true */
  background?: boolean;
}

/** Opens (and migrates, when asked) a store family. */
export type StoreDriver = (ctx: StoreDriverContext) => Promise<Stores>;

const drivers = new Map<string, StoreDriver>();

/**
 * Registers a store family under `type` (the configuration's `store.type`), replacing an earlier one.
 *
 * @example
 * registerStoreDriver('postgres', async ({ config }) => openPostgresStores(config.store));
 */
export function registerStoreDriver(type: string, driver: StoreDriver): void {
  drivers.set(type, driver);
}

/** The registered family names. */
export function storeDriverTypes(): string[] {
  return [...drivers.keys()];
}

/**
 * Opens the store family the configuration names.
 * @throws ConfigError when no driver is registered under `config.store.type`.
 */
export async function openStores(ctx: StoreDriverContext): Promise<Stores> {
  const driver = drivers.get(ctx.config.store.type);
  if (!driver) {
    throw new ConfigError(
      { path: '/store/type' },
      `no store driver "${ctx.config.store.type}" (registered: ${storeDriverTypes().join(', ')})`,
    );
  }
  return driver(ctx);
}
