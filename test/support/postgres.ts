// A real PostgreSQL server for tests: a fresh cluster in a temporary directory, listening on a free loopback port and
// a socket in that directory, stopped and deleted afterwards. initdb refuses to run as root, so as root the cluster
// belongs to the `postgres` user (from Debian's packages) and its commands run through runuser.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface PostgresCluster {
  /** The superuser URL of a database (default `postgres`). */
  url(database?: string): string;
  port: number;
  /** A new, empty database owned by the test superuser; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stop the server (fast shutdown: connections are cut) and start it again on the same port; `pausedMs` between. */
  restart(pausedMs?: number): Promise<void>;
  /** Stop the server, keeping its files (start() starts it again). */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** The server's main process (its backends are its children). */
  postmasterPid(): number;
  /** Stop the server and delete its files. */
  close(): Promise<void>;
}

/** The directory of PostgreSQL's server programs (the newest installed major version). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql).');
  const owner = await postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-pg-'));
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const as = async (program: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);

  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    // A test cluster: speed over durability (the files are deleted afterwards).
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  const startServer = async () => {
    await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stopServer = async () => {
    await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await startServer();

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let counter = 0;
  let running = true;
  return {
    port,
    url,
    async createDatabase(prefix = 'test') {
      counter += 1;
      const name = `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart(pausedMs = 0) {
      await stopServer();
      if (pausedMs > 0) await new Promise((resolve) => setTimeout(resolve, pausedMs));
      await startServer();
    },
    postmasterPid() {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    },
    async stopServer() {
      await stopServer();
      running = false;
    },
    async startServer() {
      await startServer();
      running = true;
    },
    async close() {
      try {
        if (running) await stopServer();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
