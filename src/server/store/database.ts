import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.ts';
import type { SqliteDatabase } from './sqlite.ts';

/** The BFF's own database (operators, sessions, audit trail): one SQLite file under DATA_DIR. */
export const DATABASE_FILE = 'viewer-admin.sqlite';

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(found: number, known: number) {
    super(
      `The database ${DATABASE_FILE} has schema version ${found}, newer than this version of Viewer Admin knows (${known}). ` +
        'Run the newer version, or restore a backup taken before the upgrade.',
    );
  }
}

/**
 * Open (creating when needed) the database in `dataDir`, or an in-memory one for `':memory:'`, and bring its schema
 * up to date. WAL lets the server and the operator command-line tool use the file at the same time.
 */
export function openDatabase(dataDir: string): SqliteDatabase {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    file = path.join(dataDir, DATABASE_FILE);
  }
  const db = new Database(file);
  try {
    // Password and session hashes live here: readable by the server's user only (SQLite gives -wal/-shm the same mode).
    if (file !== ':memory:') chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // NORMAL with WAL: a commit is durable against a crash of the process, and fsync happens at checkpoints only; a
    // power cut may lose the last commits but never corrupts the file. Right for this data (sessions, keys, the trail).
    db.pragma('synchronous = NORMAL');
    // Checkpoint after about 16 MB of WAL (4 000 pages) rather than SQLite's 1 000 pages: the same pages (the ends of
    // the audit and idempotency indexes) are rewritten by every change, so a longer interval copies each back to the
    // database file fewer times.
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Apply every migration newer than the recorded version, each in its own transaction. Returns the version reached. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current = schemaVersion(db);
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > known) throw new SchemaTooNewError(current, known);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
  }
  return schemaVersion(db);
}

export function schemaVersion(db: SqliteDatabase): number {
  const row: unknown = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
  const version = typeof row === 'object' && row !== null && 'version' in row ? row.version : null;
  return typeof version === 'number' ? version : 0;
}
