/**
 * Schema migrations of the BFF's database, applied in order and recorded in `schema_migrations`. Never edit a
 * migration that has shipped: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'operators, sessions and the audit trail',
    sql: `
      CREATE TABLE operators (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_sign_in_at INTEGER
      );

      -- Only the SHA-256 of a session id is stored: a copy of the database does not let anyone sign in.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_operator ON sessions (operator_id);
      CREATE INDEX sessions_by_expiry ON sessions (expires_at);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        operator_id TEXT,
        operator_email TEXT,
        action TEXT NOT NULL,
        target_user_id TEXT,
        target_invitation_id TEXT,
        target_operator_id TEXT,
        target_email TEXT,
        request_id TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'refused', 'pending')),
        upstream_status INTEGER,
        detail TEXT,
        completed_at INTEGER
      );
      CREATE INDEX audit_by_time ON audit_log (at);
      CREATE INDEX audit_by_operator ON audit_log (operator_id, id);
      CREATE INDEX audit_by_action ON audit_log (action, id);
    `,
  },
  {
    version: 2,
    name: 'idempotency keys',
    sql: `
      CREATE TABLE idempotency_keys (
        operator_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in-flight', 'completed', 'unknown')),
        response_status INTEGER,
        response_body TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        -- An in-flight claim older than this was abandoned (its process stopped): treat the outcome as unknown.
        lease_until INTEGER NOT NULL,
        -- Which request holds the claim: only it may complete, mark or release the key.
        claim_id TEXT NOT NULL,
        UNIQUE (operator_id, idempotency_key)
      );
      CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);
    `,
  },
  {
    version: 3,
    name: 'client address on audit records, server secrets',
    sql: `
      -- Where a sign-in came from (the client address as the server saw it); null for records without one.
      ALTER TABLE audit_log ADD COLUMN client_address TEXT;

      -- Keys the server makes for itself (the device-token HMAC key): created once, kept across restarts.
      CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'bulk invites',
    sql: `
      -- A bulk invite: a job the server works through itself (see bulk/worker.ts). Every change to the batch or one of
      -- its rows bumps version; a row keeps the version of its last change, so a reader asks for what changed since.
      CREATE TABLE bulk_batches (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        operator_id TEXT NOT NULL,
        operator_email TEXT NOT NULL,
        operator_name TEXT NOT NULL,
        -- The creating request's Idempotency-Key: a retried creation finds its batch instead of making another.
        creation_key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'finished')),
        columns TEXT NOT NULL,
        total INTEGER NOT NULL,
        paused_until INTEGER,
        finished_at INTEGER,
        cancelled_by TEXT,
        -- The batch's own audit record: written pending at creation, completed once when every row is done.
        audit_id INTEGER,
        audit_completed INTEGER NOT NULL DEFAULT 0 CHECK (audit_completed IN (0, 1)),
        version INTEGER NOT NULL,
        UNIQUE (operator_id, creation_key)
      );
      CREATE INDEX bulk_batches_by_time ON bulk_batches (created_at);
      CREATE INDEX bulk_batches_by_state ON bulk_batches (state);

      CREATE TABLE bulk_rows (
        batch_id TEXT NOT NULL REFERENCES bulk_batches (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        line INTEGER NOT NULL,
        cells TEXT NOT NULL,
        email TEXT,
        state TEXT NOT NULL
          CHECK (state IN ('waiting', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
        -- Which send of the row (0, then +1 per retry of a failed row): part of its idempotency key.
        attempt INTEGER NOT NULL DEFAULT 0,
        -- Runs of this attempt that ended without a known outcome (re-run with the same key, then failed).
        tries INTEGER NOT NULL DEFAULT 0,
        invite TEXT,
        user_id TEXT,
        message TEXT,
        request_id TEXT,
        version INTEGER NOT NULL,
        PRIMARY KEY (batch_id, idx)
      );
      CREATE INDEX bulk_rows_by_version ON bulk_rows (batch_id, version);
      CREATE INDEX bulk_rows_by_state ON bulk_rows (state, batch_id, idx);
    `,
  },
  {
    version: 6,
    name: 'what an edit changed; the audit trail by person',
    sql: `
      -- A JSON array of { field, from, to } for edits (user.update, invitation.update); null for other records.
      ALTER TABLE audit_log ADD COLUMN changes TEXT;

      -- A person's timeline reads their records by user, invitation and e-mail.
      CREATE INDEX audit_by_user ON audit_log (target_user_id, id);
      CREATE INDEX audit_by_invitation ON audit_log (target_invitation_id, id);
      CREATE INDEX audit_by_email ON audit_log (target_email COLLATE NOCASE, id);
    `,
  },
];
