// Graceful shutdown of the real process: on SIGTERM or SIGINT the server stops accepting connections, lets the
// requests in flight finish (for at most SHUTDOWN_GRACE_MS), closes the database and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { UserPageSchema } from '../src/contract/users.ts';
import { http } from './support/http.ts';
import { TEST_OPERATOR, signIn } from './support/session.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

/**
 * A stand-in for Avara whose list answers take `holdMs`; `arrived` counts the operator's requests that reached it (the
 * directory's refresh on start asks too, for pages of 100).
 */
async function slowAvara(holdMs: number) {
  let arrived = 0;
  const server = createServer((request, response) => {
    if (!(request.url ?? '').includes('limit=100')) arrived += 1;
    request.resume();
    const timer = setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ users: [], cursor: null, hasMore: false }));
    }, holdMs);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = z
    .object({ port: z.number() })
    .parse(server.address() satisfies AddressInfo | string | null);
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, arrived: () => arrived };
}

interface Child {
  process: ChildProcess;
  url: string;
  dataDir: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  signalledAt(): number;
  kill(signal: NodeJS.Signals): void;
}

async function startChild(upstreamUrl: string, env: Record<string, string> = {}): Promise<Child> {
  const dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-shutdown-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'support/main-child.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        AVARA_API_KEY: 'sk_live_shutdown_test',
        AVARA_BASE_URL: upstreamUrl,
        ADMIN_EMAIL: TEST_OPERATOR.email,
        ADMIN_PASSWORD: TEST_OPERATOR.password,
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let signalled = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - signalled })),
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The child did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Viewer Admin is ready at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`The child exited before it was ready:\n${output}`)));
  });
  return {
    process: child,
    url,
    dataDir,
    exited,
    signalledAt: () => signalled,
    kill: (signal) => {
      signalled = Date.now();
      child.kill(signal);
    },
  };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('graceful shutdown', () => {
  it('SIGTERM: stops accepting, finishes the request in flight, closes the database, exits 0', async () => {
    const avara = await slowAvara(700);
    const child = await startChild(avara.url);
    const operator = await signIn(child.url);
    const inFlight = operator.get('/api/users?limit=5');
    await until(() => avara.arrived() === 1);

    child.kill('SIGTERM');
    // No new work once shutting down: soon a new connection is refused (one on a kept-alive connection gets 503),
    // while the request in flight is still being answered.
    const late = async () =>
      http(child.url, 'GET', '/healthz').then(
        (answer) => answer.status,
        () => 'refused',
      );
    let answered = false;
    const settle = () => {
      answered = true;
    };
    inFlight.then(settle, settle);
    let refusal = await late();
    while (refusal === 200 && !answered) refusal = await late();
    expect([503, 'refused']).toContain(refusal);

    const answer = await inFlight;
    expect(answer.status, answer.text).toBe(200);
    expect(UserPageSchema.parse(answer.json()).users).toEqual([]);
    const { code, ms } = await child.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    // The database was closed properly: SQLite folds its write-ahead log back in and removes it on close.
    expect(existsSync(join(child.dataDir, 'viewer-admin.sqlite'))).toBe(true);
    expect(existsSync(join(child.dataDir, 'viewer-admin.sqlite-wal'))).toBe(false);
  });

  it('SIGINT: a request that outlasts SHUTDOWN_GRACE_MS is cut, and the process still exits 0 in time', async () => {
    const avara = await slowAvara(30_000);
    const child = await startChild(avara.url, { SHUTDOWN_GRACE_MS: '300', UPSTREAM_TIMEOUT_MS: '60000' });
    const operator = await signIn(child.url);
    const inFlight = operator.get('/api/users?limit=5').then(
      (answer) => answer.status,
      () => 'connection closed',
    );
    await until(() => avara.arrived() === 1);

    child.kill('SIGINT');
    const { code, ms } = await child.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(3_000);
    expect(await inFlight).toBe('connection closed');
    expect(existsSync(join(child.dataDir, 'viewer-admin.sqlite-wal'))).toBe(false);
  });
});
