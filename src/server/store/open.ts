import { openPostgresStore } from './pg/store.ts';
import { openSqliteStore } from './store.ts';
import type { Store } from './store.ts';

export interface StorageSettings {
  /** DATA_DIR: SQLite's file lives here when there is no database URL. */
  dataDir: string;
  /** DATABASE_URL and DATABASE_POOL_SIZE: PostgreSQL instead of SQLite. */
  database?: { url: string; poolSize?: number | undefined } | undefined;
  /** An error on an idle PostgreSQL connection (the server went away; the next statement reconnects). */
  onError?: ((error: Error) => void) | undefined;
}

/** The store the settings name: PostgreSQL when a database URL is given, else SQLite in DATA_DIR. Migrated. */
export async function openStore(settings: StorageSettings): Promise<Store> {
  if (settings.database) {
    return openPostgresStore(settings.database.url, {
      max: settings.database.poolSize,
      onError: settings.onError,
    });
  }
  return openSqliteStore(settings.dataDir);
}
