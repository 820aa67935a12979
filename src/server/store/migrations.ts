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
    version: 5,
    name: 'the directory',
    sql: `
      -- The directory (store/directory.ts): Avara's users and invitations as read (record: the JSON), with the columns
      -- it searches, filters and sorts by. Times are milliseconds since the epoch. seen is the refresh generation that
      -- last saw the record: a complete walk removes what it did not see.
      CREATE TABLE directory_users (
        user_id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        search TEXT NOT NULL,
        sort_name TEXT NOT NULL,
        role TEXT NOT NULL,
        level TEXT NOT NULL,
        dashboard INTEGER NOT NULL,
        studies INTEGER NOT NULL,
        invited_source TEXT NOT NULL,
        created_ms INTEGER,
        last_login_ms INTEGER,
        inv_id TEXT,
        inv_status TEXT,
        inv_expiry TEXT,
        inv_expiry_ms INTEGER,
        inv_created_at TEXT,
        invited_at TEXT,
        invited_ms INTEGER,
        seen INTEGER NOT NULL
      );
      CREATE INDEX directory_users_by_invited ON directory_users (invited_ms, user_id);
      CREATE INDEX directory_users_by_name ON directory_users (sort_name, user_id);
      CREATE INDEX directory_users_by_sign_in ON directory_users (last_login_ms, user_id);
      ${searchIndex('directory_users')}

      CREATE TABLE directory_invitations (
        invitation_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        record TEXT NOT NULL,
        search TEXT NOT NULL,
        sort_name TEXT NOT NULL,
        status TEXT NOT NULL,
        invited_source TEXT NOT NULL,
        expiry_ms INTEGER,
        created_ms INTEGER,
        seen INTEGER NOT NULL
      );
      CREATE INDEX directory_invitations_by_user ON directory_invitations (user_id, created_ms);
      CREATE INDEX directory_invitations_by_sent ON directory_invitations (created_ms, invitation_id);
      CREATE INDEX directory_invitations_by_name ON directory_invitations (sort_name, invitation_id);
      CREATE INDEX directory_invitations_by_expiry ON directory_invitations (expiry_ms, invitation_id);
      ${searchIndex('directory_invitations')}

      -- The refresh under way (or the last one): phase idle, users or invitations, and the cursor of the next page.
      CREATE TABLE directory_refresh (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('idle', 'users', 'invitations')),
        cursor TEXT,
        as_of INTEGER,
        last_error TEXT
      );
      INSERT INTO directory_refresh (id, generation, phase) VALUES (1, 0, 'idle');

      -- What this dashboard's audit trail says about each person, kept by the triggers below as records are written
      -- or completed: the latest successful invite, revoke-access and reactivate.
      CREATE TABLE directory_access (
        user_id TEXT PRIMARY KEY,
        invited_id INTEGER,
        invited_operator_id TEXT,
        invited_operator_email TEXT,
        revoked_id INTEGER,
        revoked_at INTEGER,
        revoked_operator_id TEXT,
        revoked_operator_email TEXT,
        reactivated_id INTEGER
      );
      INSERT INTO directory_access (user_id) SELECT DISTINCT target_user_id FROM audit_log
        WHERE outcome = 'success' AND target_user_id IS NOT NULL
          AND action IN ('user.invite', 'user.revoke-access', 'user.reactivate');
      UPDATE directory_access SET
        invited_id = (SELECT MAX(id) FROM audit_log a WHERE a.target_user_id = directory_access.user_id
          AND a.action = 'user.invite' AND a.outcome = 'success'),
        revoked_id = (SELECT MAX(id) FROM audit_log a WHERE a.target_user_id = directory_access.user_id
          AND a.action = 'user.revoke-access' AND a.outcome = 'success'),
        reactivated_id = (SELECT MAX(id) FROM audit_log a WHERE a.target_user_id = directory_access.user_id
          AND a.action = 'user.reactivate' AND a.outcome = 'success');
      UPDATE directory_access SET
        invited_operator_id = (SELECT operator_id FROM audit_log WHERE id = invited_id),
        invited_operator_email = (SELECT operator_email FROM audit_log WHERE id = invited_id),
        revoked_at = (SELECT COALESCE(completed_at, at) FROM audit_log WHERE id = revoked_id),
        revoked_operator_id = (SELECT operator_id FROM audit_log WHERE id = revoked_id),
        revoked_operator_email = (SELECT operator_email FROM audit_log WHERE id = revoked_id);
      ${accessTrigger('directory_access_on_insert', 'AFTER INSERT ON audit_log')}
      ${accessTrigger('directory_access_on_complete', 'AFTER UPDATE OF outcome, target_user_id ON audit_log')}
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
  {
    version: 7,
    name: 'operator roles',
    sql: `
      -- Every operator before roles could do everything: they stay Administrators.
      ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'administrator'
        CHECK (role IN ('viewer', 'inviter', 'administrator'));
    `,
  },
  {
    version: 8,
    name: 'operators signed in by single sign-on',
    sql: `
      -- Who an operator is at an OpenID provider: its issuer and the subject it gives them (never reassigned).
      CREATE TABLE operator_identities (
        issuer TEXT NOT NULL,
        subject TEXT NOT NULL,
        operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (issuer, subject)
      );
      CREATE INDEX operator_identities_by_operator ON operator_identities (operator_id);
    `,
  },
  {
    version: 9,
    name: 'instances sharing the database',
    sql: `
      -- The instance working a batch (bulk/bulk-jobs.ts) and until when; another may take the batch over after that.
      ALTER TABLE bulk_batches ADD COLUMN lease_owner TEXT;
      ALTER TABLE bulk_batches ADD COLUMN lease_until INTEGER;
      -- The instance walking the directory (directory/directory.ts) and until when.
      ALTER TABLE directory_refresh ADD COLUMN runner TEXT;
      ALTER TABLE directory_refresh ADD COLUMN lease_until INTEGER;
    `,
  },
  {
    version: 10,
    name: 'shared limits and sign-in flows',
    sql: `
      -- Counted events (sign-in failures, requests) per key within a sliding window. One SQLite file belongs to one
      -- process, which keeps its limits in memory; the tables are here so both schemas hold the same tables.
      CREATE TABLE limit_events (
        key TEXT NOT NULL,
        at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX limit_events_by_key ON limit_events (key, at);
      CREATE INDEX limit_events_by_expiry ON limit_events (expires_at);

      -- Sign-in attempts reserved and not yet judged (they count like failures until settled or expired).
      CREATE TABLE limit_reservations (
        ticket TEXT NOT NULL,
        key TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (ticket, key)
      );
      CREATE INDEX limit_reservations_by_key ON limit_reservations (key, expires_at);
      CREATE INDEX limit_reservations_by_expiry ON limit_reservations (expires_at);

      -- Device tokens that reached the limit: refused until locked_until, never trusted again before forget_at.
      CREATE TABLE spent_device_tokens (
        device_id TEXT PRIMARY KEY,
        locked_until INTEGER NOT NULL,
        forget_at INTEGER NOT NULL
      );
      CREATE INDEX spent_device_tokens_by_expiry ON spent_device_tokens (forget_at);

      -- Single sign-ons on their way through the provider (by the SHA-256 of the browser's flow id), used once.
      CREATE TABLE sso_flows (
        id_hash TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        nonce TEXT NOT NULL,
        verifier TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sso_flows_by_expiry ON sso_flows (expires_at);

      -- The ID token of a single sign-on, for the provider's sign-out (by the SHA-256 of the browser's ticket).
      CREATE TABLE sso_logout_tickets (
        id_hash TEXT PRIMARY KEY,
        id_token TEXT,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sso_logout_tickets_by_expiry ON sso_logout_tickets (expires_at);
    `,
  },
];

/** Keep directory_access in step with a successful invite, revoke-access or reactivate as it is written or completed. */
function accessTrigger(name: string, event: string): string {
  return `
      CREATE TRIGGER ${name} ${event}
      WHEN NEW.outcome = 'success' AND NEW.target_user_id IS NOT NULL
        AND NEW.action IN ('user.invite', 'user.revoke-access', 'user.reactivate')
      BEGIN
        INSERT INTO directory_access (user_id) VALUES (NEW.target_user_id) ON CONFLICT (user_id) DO NOTHING;
        UPDATE directory_access SET invited_id = NEW.id, invited_operator_id = NEW.operator_id,
            invited_operator_email = NEW.operator_email
          WHERE user_id = NEW.target_user_id AND NEW.action = 'user.invite'
            AND (invited_id IS NULL OR invited_id <= NEW.id);
        UPDATE directory_access SET revoked_id = NEW.id, revoked_at = COALESCE(NEW.completed_at, NEW.at),
            revoked_operator_id = NEW.operator_id, revoked_operator_email = NEW.operator_email
          WHERE user_id = NEW.target_user_id AND NEW.action = 'user.revoke-access'
            AND (revoked_id IS NULL OR revoked_id <= NEW.id);
        UPDATE directory_access SET reactivated_id = NEW.id
          WHERE user_id = NEW.target_user_id AND NEW.action = 'user.reactivate'
            AND (reactivated_id IS NULL OR reactivated_id <= NEW.id);
      END;`;
}

/**
 * A trigram index over a directory table's folded search text (rowid for rowid), kept by triggers: any part of a word
 * of three characters or more is found without reading every row.
 */
function searchIndex(table: string): string {
  return `
      CREATE VIRTUAL TABLE ${table}_search USING fts5(search, tokenize = 'trigram');
      CREATE TRIGGER ${table}_search_insert AFTER INSERT ON ${table} BEGIN
        INSERT INTO ${table}_search (rowid, search) VALUES (NEW.rowid, NEW.search);
      END;
      CREATE TRIGGER ${table}_search_update AFTER UPDATE OF search ON ${table}
      WHEN OLD.search IS NOT NEW.search BEGIN
        DELETE FROM ${table}_search WHERE rowid = OLD.rowid;
        INSERT INTO ${table}_search (rowid, search) VALUES (NEW.rowid, NEW.search);
      END;
      CREATE TRIGGER ${table}_search_delete AFTER DELETE ON ${table} BEGIN
        DELETE FROM ${table}_search WHERE rowid = OLD.rowid;
      END;`;
}
