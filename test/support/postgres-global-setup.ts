// Global setup of the `node` test project: one PostgreSQL cluster for the whole run (see postgres.ts); each test file
// makes its own databases in it (test-database.ts), so files never see each other's rows.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The superuser URL of the run's PostgreSQL cluster (its `postgres` database). */
    postgresUrl: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgres();
  project.provide('postgresUrl', cluster.url());
  return () => cluster.close();
}
