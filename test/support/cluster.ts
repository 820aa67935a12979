// Viewer Admin as a hospital runs it: two instances (child processes, as `npm start` runs them) sharing one
// PostgreSQL database and one Avara (the sandbox), behind nginx terminating TLS and balancing round robin with the
// example configuration of deploy/nginx.conf (only its addresses, ports and certificate paths replaced).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { FaultListSchema, RequestLogSchema } from '../../src/sandbox/fault.ts';
import type { FaultSpec, RequestLogEntry } from '../../src/sandbox/fault.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { startBffChild, type BffChild } from './bff-child.ts';
import { freePort } from './free-port.ts';
import { startPostgres, type PostgresCluster } from './postgres.ts';
import { writeSelfSignedCertificate } from './tls.ts';

export const NGINX_EXAMPLE = resolve(import.meta.dirname, '../../deploy/nginx.conf');

export interface ClusterInstance {
  name: string;
  /** Direct address of the instance (plain HTTP on loopback, as nginx reaches it). */
  url: string;
  port: number;
  child: BffChild;
  /** SIGKILL: no goodbye, no lease released. */
  kill(): Promise<void>;
  /** Start it again on the same port and database. */
  start(): Promise<void>;
}

export interface Cluster {
  /** Through nginx: https://127.0.0.1:<port>. */
  url: string;
  /** Trusts the test certificate (for requests through nginx). */
  dispatcher: Agent;
  instances: ClusterInstance[];
  /** Absent when the cluster runs on SQLite. */
  postgres: PostgresCluster | undefined;
  databaseUrl: string | undefined;
  sandboxUrl: string;
  /** Headers that make a direct request to an instance look as nginx sends it (Host, X-Forwarded-*). */
  proxyHeaders(clientAddress?: string): Record<string, string>;
  faults: { add(spec: FaultSpec | FaultSpec[]): Promise<void>; clear(): Promise<void> };
  /** nginx's record of each request: the instance that answered it (`127.0.0.1:<port>`), status, method, path. */
  balanced(): { upstream: string; status: number; method: string; path: string }[];
  /** Every request that reached the sandbox (Avara), in order. */
  upstreamRequests(): Promise<RequestLogEntry[]>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
  /** nginx worker processes (default 1). */
  nginxWorkers?: number;
  /** Where the state is: PostgreSQL (default; a cluster of its own) or each instance's SQLite file (one instance). */
  database?: 'postgres' | 'sqlite';
  /** Start the sandbox elsewhere (a benchmark runs it in a process of its own); default: in this process. */
  startSandbox?: (options: {
    apiKey: string;
    dataDir: string;
  }) => Promise<{ url: string; close(): Promise<void> }>;
}

const SANDBOX_REQUESTS = '/__sandbox/requests';
/** The password in the instances' DATABASE_URL: no log line or answer may hold it. */
export const DATABASE_PASSWORD = `pg-canary-${randomBytes(8).toString('hex')}`;

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

/** Render deploy/nginx.conf for this machine: each replacement must match, so the example and the tests stay one. */
export function renderNginxSite(
  example: string,
  site: { upstreams: number[]; httpPort: number; httpsPort: number; cert: string; key: string },
): string {
  const replace = (
    text: string,
    pattern: RegExp,
    by: string | ((match: string) => string),
    count?: number,
  ) => {
    const found = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0;
    if (found === 0 || (count !== undefined && found !== count))
      throw new Error(
        `deploy/nginx.conf changed: expected ${count ?? 'some'} of ${pattern.source}, found ${found}`,
      );
    return typeof by === 'string' ? text.replace(pattern, by) : text.replace(pattern, by);
  };
  let text = example;
  const upstreamLine = /^(\s*)server 10\.0\.0\.\d+:8080( [^;]*)?;\n/m;
  const params = upstreamLine.exec(text)?.[2] ?? '';
  text = replace(text, /^\s*server 10\.0\.0\.\d+:8080[^;]*;\n/gm, '', 2);
  text = replace(
    text,
    /upstream viewer_admin \{\n/,
    `upstream viewer_admin {\n${site.upstreams.map((port) => `    server 127.0.0.1:${port}${params};\n`).join('')}`,
    1,
  );
  text = replace(text, /listen 80;/, `listen 127.0.0.1:${site.httpPort};`, 1);
  text = replace(text, /listen 443 ssl;/, `listen 127.0.0.1:${site.httpsPort} ssl;`, 1);
  text = replace(text, /server_name viewer-admin\.clinic\.org;/g, 'server_name 127.0.0.1;', 2);
  text = replace(text, /ssl_certificate\s+\S+;/, `ssl_certificate ${site.cert};`, 1);
  text = replace(text, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${site.key};`, 1);
  return text;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on port ${port}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunningNginx {
  process: ChildProcess;
  stop(): Promise<void>;
  /** What nginx wrote on stderr (start-up errors). */
  stderr(): string;
}

async function startNginx(dir: string, site: string, workers: number): Promise<RunningNginx> {
  mkdirSync(dir, { recursive: true });
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'viewer-admin.conf'), site);
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      asRoot ? 'user root root;' : '',
      `worker_processes ${workers};`,
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      // Which instance answered each request: the tests read it to see the balancing (not part of the example).
      "  log_format upstream '$upstream_addr $status $request_method $uri';",
      `  access_log ${join(dir, 'access.log')} upstream;`,
      `  client_body_temp_path ${join(dir, 'client_body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'scgi')};`,
      `  include ${join(dir, 'viewer-admin.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  return { process: child, stop, stderr: () => stderr };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-cluster-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep closing the rest.
      }
    }
  };
  try {
    const onPostgres = (options.database ?? 'postgres') === 'postgres';
    if (!onPostgres && count !== 1) throw new Error('SQLite serves one instance only.');
    const postgres = onPostgres ? await startPostgres() : undefined;
    if (postgres) cleanups.push(() => postgres.close());
    // A password in the URL (the test cluster trusts loopback, so any will do): it must never appear in any output.
    const databaseUrl = postgres
      ? withPassword(await postgres.createDatabase('cluster'), DATABASE_PASSWORD)
      : undefined;

    const apiKey = `sk_cluster_${randomBytes(16).toString('hex')}`;
    const sandboxDir = join(dir, 'sandbox');
    const sandbox = options.startSandbox
      ? await options.startSandbox({ apiKey, dataDir: sandboxDir })
      : await startSandbox({ dataDir: sandboxDir, apiKey, faultInjection: true });
    cleanups.push(() => sandbox.close());

    const { cert, key } = writeSelfSignedCertificate(dir);
    const httpsPort = await freePort();
    const httpPort = await freePort();
    const publicUrl = `https://127.0.0.1:${httpsPort}`;

    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const instances: ClusterInstance[] = ports.map((port, index) => {
      const name = String.fromCharCode(65 + index);
      const env = {
        AVARA_API_KEY: apiKey,
        AVARA_BASE_URL: sandbox.url,
        ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
        DATA_DIR: join(dir, `instance-${name}`),
        PORT: String(port),
        TRUST_PROXY: '127.0.0.1',
        PUBLIC_ORIGIN: publicUrl,
        ...options.env,
      };
      const instance: ClusterInstance = {
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        child: undefined as unknown as BffChild,
        kill: async () => instance.child.kill(),
        start: async () => {
          instance.child = await startBffChild(env);
        },
      };
      return instance;
    });
    // Every instance starts at once: the first migrates the new database, the others wait for its lock.
    await Promise.all(instances.map((instance) => instance.start()));
    cleanups.push(() => Promise.all(instances.map((instance) => instance.kill())).then(() => undefined));

    const site = renderNginxSite(readFileSync(NGINX_EXAMPLE, 'utf8'), {
      upstreams: ports,
      httpPort,
      httpsPort,
      cert,
      key,
    });
    const nginx = await startNginx(join(dir, 'nginx'), site, options.nginxWorkers ?? 1);
    cleanups.push(() => nginx.stop());
    await waitForPort(httpsPort).catch((error: unknown) => {
      throw new Error(`nginx did not start: ${nginx.stderr()}`, { cause: error });
    });

    const dispatcher = new Agent({ connect: { ca: readFileSync(cert) } });
    cleanups.push(() => dispatcher.close());

    const sandboxCall = async (
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      body?: unknown,
    ): Promise<unknown> => {
      const answer = await request(`${sandbox.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.body.text();
      if (answer.statusCode >= 300) throw new Error(`The sandbox answered ${answer.statusCode}: ${text}`);
      return text === '' ? undefined : JSON.parse(text);
    };

    return {
      url: publicUrl,
      dispatcher,
      instances,
      postgres,
      databaseUrl,
      sandboxUrl: sandbox.url,
      balanced: () =>
        readFileSync(join(dir, 'nginx', 'access.log'), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => {
            const [upstream = '', status = '0', method = '', path = ''] = line.split(' ');
            return { upstream, status: Number(status), method, path };
          }),
      proxyHeaders: (clientAddress = '198.51.100.7') => ({
        host: `127.0.0.1:${httpsPort}`,
        'x-forwarded-proto': 'https',
        'x-forwarded-for': clientAddress,
      }),
      faults: {
        add: async (spec) => {
          FaultListSchema.parse(await sandboxCall('POST', '/__sandbox/faults', spec));
        },
        clear: async () => {
          await sandboxCall('DELETE', '/__sandbox/faults');
        },
      },
      upstreamRequests: async () =>
        RequestLogSchema.parse(await sandboxCall('GET', SANDBOX_REQUESTS)).requests,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
