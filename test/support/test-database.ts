// Databases for tests in the run's PostgreSQL cluster (postgres-global-setup.ts).
import pg from 'pg';
import { inject } from 'vitest';

let counter = 0;

/** A new, empty PostgreSQL database; returns its URL. */
export async function freshPostgresUrl(prefix = 'test'): Promise<string> {
  const adminUrl = inject('postgresUrl');
  counter += 1;
  const name = `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
