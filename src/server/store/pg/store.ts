import type { Store } from '../store.ts';
import { createPostgresBulkStore } from './bulk.ts';
import { openPostgres, type PostgresOptions } from './database.ts';
import { createPostgresDirectoryStore } from './directory.ts';

/**
 * The store in PostgreSQL (DATABASE_URL): the same interfaces as the SQLite store, shared by every instance that
 * points at the same database. The schema is brought up to date first (database.ts).
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const db = await openPostgres(url, options);
  const notYet = (part: string): never => {
    throw new Error(`The PostgreSQL ${part} store is not built yet.`);
  };
  return {
    kind: 'postgres',
    get operators() {
      return notYet('operators');
    },
    get sessions() {
      return notYet('sessions');
    },
    get audit() {
      return notYet('audit');
    },
    get idempotency() {
      return notYet('idempotency');
    },
    get secrets() {
      return notYet('secrets');
    },
    bulk: createPostgresBulkStore(db),
    directory: createPostgresDirectoryStore(db),
    get identities() {
      return notYet('identities');
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await db.close();
    },
  };
}
