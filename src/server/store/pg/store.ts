import type { Store } from '../store.ts';
import { createPostgresAuditStore } from './audit.ts';
import { createPostgresBulkStore } from './bulk.ts';
import { openPostgres, type PostgresOptions } from './database.ts';
import { createPostgresDirectoryStore } from './directory.ts';
import { createPostgresIdentityStore } from './identities.ts';
import { createPostgresIdempotencyStore } from './idempotency.ts';
import { createPostgresLimitStore } from './limits.ts';
import { createPostgresOperatorStore } from './operators.ts';
import { createPostgresSecretStore } from './secrets.ts';
import { createPostgresSessionStore } from './sessions.ts';
import { createPostgresSsoFlowStore } from './sso-flows.ts';

/**
 * The store in PostgreSQL (DATABASE_URL): the same interfaces as the SQLite store, shared by every instance that
 * points at the same database. The schema is brought up to date first (database.ts).
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const db = await openPostgres(url, options);
  return {
    kind: 'postgres',
    operators: createPostgresOperatorStore(db),
    sessions: createPostgresSessionStore(db),
    audit: createPostgresAuditStore(db),
    idempotency: createPostgresIdempotencyStore(db),
    secrets: createPostgresSecretStore(db),
    bulk: createPostgresBulkStore(db),
    directory: createPostgresDirectoryStore(db),
    identities: createPostgresIdentityStore(db),
    limits: createPostgresLimitStore(db),
    ssoFlows: createPostgresSsoFlowStore(db),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await db.close();
    },
  };
}
