import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/server/store/migrations.ts';
import {
  SchemaTooNewError,
  isConnectionError,
  openPostgres,
  postgresSchemaVersion,
} from '../../../src/server/store/pg/database.ts';
import { POSTGRES_MIGRATIONS } from '../../../src/server/store/pg/migrations.ts';
import { StoreUnavailableError } from '../../../src/server/store/unavailable.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

describe('PostgreSQL schema', () => {
  it('has the same versions, under the same names, as the SQLite schema', () => {
    const versions = (list: readonly { version: number; name: string }[]) =>
      list.map(({ version, name }) => ({ version, name }));
    expect(versions(POSTGRES_MIGRATIONS)).toEqual(versions(MIGRATIONS));
  });

  it('is migrated once when several instances start together (an advisory lock), and not again after', async () => {
    const url = await freshPostgresUrl();
    const dbs = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    const [first, second] = dbs;
    try {
      if (!first || !second) throw new Error('Three databases were opened.');
      const latest = Math.max(...MIGRATIONS.map((m) => m.version));
      const applied = await first.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      expect(applied.rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await postgresSchemaVersion(second)).toBe(latest);
      const again = await openPostgres(url);
      expect(await postgresSchemaVersion(again)).toBe(latest);
      await again.close();
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('refuses a database migrated by a newer version, naming both versions', async () => {
    const url = await freshPostgresUrl();
    const db = await openPostgres(url);
    await db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
    await db.close();
    await expect(openPostgres(url)).rejects.toThrow(SchemaTooNewError);
    await expect(openPostgres(url)).rejects.toThrow(/schema version 999, newer than .* knows \(\d+\)/);
  });

  it('reads times and ids as numbers', async () => {
    const db = await openPostgres(await freshPostgresUrl());
    try {
      const { rows } = await db.query<{ big: unknown }>('SELECT 1765000000000::bigint AS big');
      expect(rows[0]?.big).toBe(1_765_000_000_000);
    } finally {
      await db.close();
    }
  });

  it('turns a refused connection into StoreUnavailableError, and a wrong statement into its own error', async () => {
    const url = new URL(await freshPostgresUrl());
    const db = await openPostgres(url.toString());
    await expect(db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await db.close();
    url.port = '1'; // nothing listens there
    await expect(openPostgres(url.toString(), { connectionTimeoutMs: 2_000 })).rejects.toThrow(
      StoreUnavailableError,
    );
    expect(isConnectionError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  });
});
