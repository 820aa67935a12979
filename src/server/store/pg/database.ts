import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { StoreUnavailableError } from '../unavailable.ts';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.ts';

/**
 * The BFF's state in PostgreSQL (DATABASE_URL): a connection pool, statements that turn a lost connection into
 * StoreUnavailableError, transactions, and the schema brought up to date at start under an advisory lock (the first
 * instance to start migrates; the others wait, then find nothing to do).
 */
export interface PostgresDatabase {
  query<Row extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
  /** Run `work` in one transaction (READ COMMITTED) on one connection; rolled back when it throws. */
  transaction<T>(work: (client: PostgresQueryable) => Promise<T>): Promise<T>;
  /** Run `work` on one connection without a transaction (session-level locks, LISTEN). */
  withConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Something statements can be sent to: the database (any connection) or one transaction's connection. */
export interface PostgresQueryable {
  query<Row extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
}

export interface PostgresOptions {
  /** Connections this instance may hold (DATABASE_POOL_SIZE). */
  max?: number;
  /** How long a request waits for a connection before it fails as unavailable. */
  connectionTimeoutMs?: number;
  /** Longest a statement may run. */
  statementTimeoutMs?: number;
  /** An idle connection failed: told its message and code only (summaryOf). */
  onError?: (error: Error) => void;
}

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(found: number, known: number) {
    super(
      `The PostgreSQL database has schema version ${found}, newer than this version of Viewer Admin knows (${known}). ` +
        'Run the newer version, or restore a backup taken before the upgrade.',
    );
  }
}

// BIGINT (times in milliseconds, audit ids) as a JavaScript number: every value this schema keeps fits in 2^53.
const BIGINT_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes and codes that mean the server is gone or refusing connections (not a fault of the statement). */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** True when the error says the database could not be reached, rather than that a statement was wrong. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|not queryable/i.test(
    error.message,
  );
}

/**
 * An error by its message and code only, safe to log or keep as a cause: pg's errors may carry the connection, whose
 * settings hold the password.
 */
function summaryOf(error: unknown): Error {
  const summary = new Error(error instanceof Error ? error.message : String(error));
  if (error instanceof Error && 'code' in error && typeof error.code === 'string')
    Object.assign(summary, { code: error.code });
  return summary;
}

function mapError(error: unknown): unknown {
  if (!isConnectionError(error) || error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError({ cause: summaryOf(error) });
}

export async function openPostgres(
  url: string,
  options: PostgresOptions = {},
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'viewer-admin',
    types,
  });
  // An idle connection the server cut (a restart): the pool drops it and makes a new one when next needed.
  pool.on('error', (error) => options.onError?.(summaryOf(error)));

  const query: PostgresDatabase['query'] = async (text, values) => {
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw mapError(error);
    }
  };

  async function withConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw mapError(error);
    }
    let broken: unknown;
    // The server may cut the connection while it is checked out and between statements (a restart): without a
    // listener that 'error' would end the process. The next statement on it fails and the work is undone.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      if (isConnectionError(error)) broken = error;
      throw mapError(error);
    } finally {
      client.off('error', onError);
      // A connection that failed is not given back to the pool for the next request.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async function transaction<T>(work: (client: PostgresQueryable) => Promise<T>): Promise<T> {
    return withConnection(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  const db: PostgresDatabase = {
    query,
    transaction,
    withConnection,
    pool,
    async close() {
      await pool.end();
    },
  };
  try {
    await migratePostgres(db, migrations);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return db;
}

/** The advisory lock every instance takes to migrate: one at a time, the others wait (any 64-bit number, fixed). */
const MIGRATION_LOCK = 0x5641_4d49_4752; // "VAMIGR"

/**
 * Apply every migration newer than the recorded version, each in its own transaction, holding the migration lock so
 * that instances starting together never run one twice. Returns the version reached.
 */
export async function migratePostgres(
  db: PostgresDatabase,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  return db.withConnection(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`);
      const current = await postgresSchemaVersion(client);
      const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
      if (current > known) throw new SchemaTooNewError(current, known);
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, Date.now()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
      return await postgresSchemaVersion(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  });
}

export async function postgresSchemaVersion(client: PostgresQueryable): Promise<number> {
  const result = await client.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}
