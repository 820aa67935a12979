import { createSqliteAuditStore, type AuditStore } from './audit.ts';
import { createSqliteBulkStore, type BulkStore } from './bulk.ts';
import { openDatabase } from './database.ts';
import { createSqliteDirectoryStore, type DirectoryStore } from './directory.ts';
import { createSqliteIdentityStore, type IdentityStore } from './identities.ts';
import { createSqliteIdempotencyStore, type IdempotencyStore } from './idempotency.ts';
import { createMemoryLimitStore, type LimitStore } from './limits.ts';
import { createSqliteOperatorStore, type OperatorStore } from './operators.ts';
import { createSqliteSecretStore, type SecretStore } from './secrets.ts';
import { createSqliteSessionStore, type SessionStore } from './sessions.ts';
import { createSqliteSsoFlowStore, type SsoFlowStore } from './sso-flows.ts';

/**
 * Everything the BFF persists, behind one set of interfaces with two implementations: SQLite in DATA_DIR (one
 * instance; the default) and PostgreSQL (DATABASE_URL; any number of instances share it: pg/store.ts).
 */
export interface Store {
  /** Which database: `postgres` may be shared by several instances at once, `sqlite` belongs to one. */
  kind: 'sqlite' | 'postgres';
  operators: OperatorStore;
  sessions: SessionStore;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  secrets: SecretStore;
  bulk: BulkStore;
  /** The directory: Avara's users and invitations as last read, and the refresh filling it. */
  directory: DirectoryStore;
  /** Operators' identities at an OpenID provider (single sign-on). */
  identities: IdentityStore;
  /** Sign-in throttles and rate limits: in memory beside SQLite, shared in PostgreSQL. */
  limits: LimitStore;
  /** Single sign-ons on their way through the provider, and logout tickets (any instance finishes them, once). */
  ssoFlows: SsoFlowStore;
  /** Resolves when the database answers a trivial query (readiness); rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The SQLite store in `DATA_DIR/viewer-admin.sqlite` (or in memory for `':memory:'`, for tests). */
export function openSqliteStore(dataDir: string): Store {
  const db = openDatabase(dataDir);
  return {
    kind: 'sqlite',
    operators: createSqliteOperatorStore(db),
    sessions: createSqliteSessionStore(db),
    audit: createSqliteAuditStore(db),
    idempotency: createSqliteIdempotencyStore(db),
    secrets: createSqliteSecretStore(db),
    bulk: createSqliteBulkStore(db),
    directory: createSqliteDirectoryStore(db),
    identities: createSqliteIdentityStore(db),
    limits: createMemoryLimitStore(),
    ssoFlows: createSqliteSsoFlowStore(db),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
