// The two implementations of the store (SQLite, PostgreSQL): a store test runs against both with
// `describe.each(STORE_BACKENDS)('$name', (backend) => …)`; a store test that runs against only one is a defect.
import { openPostgresStore } from '../../src/server/store/pg/store.ts';
import { openSqliteStore } from '../../src/server/store/store.ts';
import type { Store } from '../../src/server/store/store.ts';
import { freshPostgresUrl } from './test-database.ts';

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty store of this kind (migrated). */
  open(): Promise<Store>;
}

export const STORE_BACKENDS: readonly StoreBackend[] = [
  { name: 'SQLite', open: async () => openSqliteStore(':memory:') },
  { name: 'PostgreSQL', open: async () => openPostgresStore(await freshPostgresUrl()) },
];
