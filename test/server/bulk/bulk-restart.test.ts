// A batch survives the server: the BFF process (as `npm start` runs it) is killed mid-batch while the sandbox is slow,
// started again on the same DATA_DIR, and the batch finishes by itself with each e-mail invited exactly once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { RequestLogSchema } from '../../../src/sandbox/fault.ts';
import type { FaultSpec } from '../../../src/sandbox/fault.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { TEST_OPERATOR, signIn } from '../../support/session.ts';
import { expectExactlyOneInvitation } from '../reliability/reliability-support.ts';
import { batchOf, createBatch, readBatch, waitForBatch } from './bulk-support.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

interface Child {
  url: string;
  process: ChildProcess;
  exited: Promise<unknown>;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../../support/main-child.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_EMAIL: TEST_OPERATOR.email,
        ADMIN_PASSWORD: TEST_OPERATOR.password,
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The BFF did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Viewer Admin is ready at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`The BFF exited before it was ready:\n${output}`)));
  });
  return { url, process: child, exited };
}

describe('a bulk invite across a restart of the server', () => {
  it('the killed server, started again, finishes the batch: each e-mail invited exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-bulk-restart-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sandboxKey = `sk_test_${randomBytes(16).toString('hex')}`;
    const sandbox = await startSandbox({
      dataDir: join(dir, 'sandbox'),
      apiKey: sandboxKey,
      host: '127.0.0.1',
      port: 0,
      faultInjection: true,
      seed: false,
    });
    cleanup.push(() => sandbox.close());
    const upstream = { sandboxUrl: sandbox.url, sandboxKey };
    const sandboxCall = async (method: 'GET' | 'POST', path: string, body?: FaultSpec) => {
      const answer = await request(`${sandbox.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${sandboxKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.body.text();
      expect(answer.statusCode, text).toBeLessThan(300);
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    };
    // Slow: Avara invites at once but answers 600 ms later, so rows are caught on their way when the server dies.
    await sandboxCall('POST', '/__sandbox/faults', {
      method: 'POST',
      path: '/v1/viewer/users',
      latencyMs: 600,
      afterHandling: true,
      times: 10_000,
    });
    const env = {
      DATA_DIR: join(dir, 'bff'),
      AVARA_BASE_URL: sandbox.url,
      AVARA_API_KEY: sandboxKey,
      UPSTREAM_MAX_CONCURRENT: '4',
    };

    const first = await startChild(env);
    const client = await signIn(first.url);
    const batchId = await createBatch(client, batchOf(24));
    // Killed once Avara has invited more people than the BFF knows of: their answers are still on the way (the
    // sandbox's count is read first, so what the BFF learns meanwhile cannot make up the difference).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const reached = await invitePostCount(sandboxCall);
      const batch = await readBatch(client, batchId);
      if (batch.counts.sent >= 3 && reached > batch.counts.sent) break;
      expect(batch.finishedAt, 'the batch finished before it could be interrupted').toBeNull();
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.process.kill('SIGKILL');
    await first.exited;

    const second = await startChild(env);
    const again = await signIn(second.url);
    const midway = await readBatch(again, batchId);
    expect(midway.counts.sent).toBeGreaterThanOrEqual(3);
    const batch = await waitForBatch(again, batchId, 60_000);
    expect(batch.state).toBe('finished');
    expect(batch.counts.sent).toBe(24);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(upstream, row.email ?? ''));
    }
    // Every address reached Avara's invite exactly once, across both processes.
    const log = RequestLogSchema.parse(await sandboxCall('GET', '/__sandbox/requests'));
    const posts = log.requests
      .filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users')
      .map((entry) => z.object({ email: z.string() }).parse(entry.body).email);
    expect(posts.length).toBe(24);
    expect(new Set(posts).size).toBe(24);
  }, 120_000);
});

/** How many invites reached the sandbox so far. */
async function invitePostCount(
  sandboxCall: (method: 'GET', path: string) => Promise<unknown>,
): Promise<number> {
  const log = RequestLogSchema.parse(await sandboxCall('GET', '/__sandbox/requests'));
  return log.requests.filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users').length;
}
