import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { UserSchema } from '../../src/contract/users.ts';
import type { HttpAnswer } from '../support/http.ts';
import { expectNoKey } from '../support/key-forms.ts';
import { newPerson } from '../support/people.ts';
import { startStack } from '../support/stack.ts';
import type { FaultSpec, Stack } from '../support/stack.ts';

/**
 * The key canary: with a random key, hit every route with good and bad input and with upstream failures (including a
 * 500 that echoes our request headers back), and find the key, in any spelling, in no answer, no header, no log line,
 * and no built file.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = randomBytes(16).toString('hex');
const CANARY = `sk_canary_${SECRET}`;

let stack: Stack;
let outDir: string;
const logLines: string[] = [];
const answers: { label: string; answer: HttpAnswer }[] = [];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function call(label: string, method: Dispatcher.HttpMethod, path: string, body?: unknown) {
  const answer = await stack.api(method, path, {
    ...(body === undefined ? {} : { body }),
    headers: { cookie: 'session=abc', accept: 'text/html,application/json' },
  });
  answers.push({ label, answer });
  return answer;
}

beforeAll(async () => {
  // Build the SPA with the canary in the environment, the way a careless config would leak it.
  outDir = mkdtempSync(join(tmpdir(), 'viewer-admin-canary-dist-'));
  const previous = process.env.AVARA_API_KEY;
  process.env.AVARA_API_KEY = CANARY;
  try {
    const { build } = await import('vite');
    await build({
      root: REPO,
      configFile: join(REPO, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
    });
  } finally {
    if (previous === undefined) delete process.env.AVARA_API_KEY;
    else process.env.AVARA_API_KEY = previous;
  }
  stack = await startStack({
    apiKey: CANARY,
    staticDir: outDir,
    logger: { level: 'trace', stream: { write: (line: string) => logLines.push(line) } },
  });
}, 120_000);

afterAll(async () => {
  await stack.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('the API key canary', () => {
  it('appears in no answer of any route, good or bad input, whatever the upstream does', async () => {
    const user = UserSchema.parse((await call('invite', 'POST', '/api/users', newPerson())).json());
    const invitation = InvitationPageSchema.parse(
      (await call('list invitations', 'GET', `/api/invitations?userId=${user.userId}`)).json(),
    ).invitations[0];
    expect(invitation).toBeDefined();
    const invitationId = invitation?.invitationId ?? '';

    const routes: {
      method: Dispatcher.HttpMethod;
      path: string;
      good?: unknown;
      bad: unknown;
      badPath?: string;
    }[] = [
      { method: 'POST', path: '/api/users', good: newPerson(), bad: { ...newPerson(), level: 'owner' } },
      { method: 'GET', path: '/api/users?limit=3', bad: undefined, badPath: '/api/users?limit=0' },
      { method: 'GET', path: `/api/users/${user.userId}`, bad: undefined, badPath: '/api/users/usr_bad' },
      {
        method: 'PATCH',
        path: `/api/users/${user.userId}`,
        good: { firstName: 'Canary' },
        bad: { email: 'x@y.z' },
      },
      { method: 'POST', path: `/api/users/${user.userId}/revoke-access`, good: {}, bad: { key: CANARY } },
      { method: 'POST', path: `/api/users/${user.userId}/reactivate`, good: {}, bad: { userId: 1 } },
      {
        method: 'GET',
        path: '/api/invitations?status=sent',
        bad: undefined,
        badPath: '/api/invitations?status=x',
      },
      {
        method: 'GET',
        path: `/api/invitations/${invitationId}`,
        bad: undefined,
        badPath: '/api/invitations/inv_1',
      },
      {
        method: 'PATCH',
        path: `/api/invitations/${invitationId}`,
        good: { lastName: 'Bird' },
        bad: { level: 'owner' },
      },
      { method: 'POST', path: `/api/invitations/${invitationId}/revoke`, good: {}, bad: { invitationId } },
    ];
    const faults: Omit<FaultSpec, 'times'>[] = [
      { echoRequestHeaders: true },
      { echoRequestHeaders: true, status: 400 },
      { echoRequestHeaders: true, status: 401 },
      { echoRequestHeaders: true, status: 409 },
      { echoRequestHeaders: true, status: 422 },
      { echoRequestHeaders: true, status: 429 },
      { echoRequestHeaders: true, status: 200 },
      {
        status: 400,
        body: JSON.stringify({
          message: `email refused for key ${CANARY}`,
          errors: [
            { path: 'email', message: `Bearer ${CANARY}` },
            { path: 'firstName', message: CANARY },
          ],
        }),
      },
      { status: 500, body: `upstream crashed while handling Bearer ${CANARY}` },
      { malformedJson: true },
      { dropConnection: true },
    ];

    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      expect((await call(`${label} good`, route.method, route.path, route.good)).status).toBeLessThan(500);
      await call(`${label} bad`, route.method, route.badPath ?? route.path, route.bad);
      for (const fault of faults) {
        await stack.faults.clear();
        await stack.faults.add({ ...fault, times: 3 });
        await call(`${label} with ${JSON.stringify(fault)}`, route.method, route.path, route.good);
      }
      await stack.faults.clear();
    }
    for (const path of ['/api/mode', '/healthz', '/api/unknown', '/', '/users', '/index.html']) {
      await call(path, 'GET', path);
    }

    // The canary was there to leak: the upstream echoed it back in many of those answers.
    const echoed = await stack.upstreamRequests();
    expect(echoed.some((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
    expect(answers.length).toBeGreaterThan(100);
    expect(answers.filter(({ answer }) => answer.status === 502).length).toBeGreaterThan(20);
    for (const { label, answer } of answers) {
      // In any spelling: case, escapes, percent-encoding, base64 (see key-forms.ts; the answers in every spelling on
      // every route are in key-echo.test.ts).
      expectNoKey(`${answer.text}\n${JSON.stringify(answer.headers)}`, SECRET, label);
    }
  });

  it('appears in no log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('\n');
    expect(log).not.toContain(SECRET);
    for (const line of logLines) expectNoKey(line, SECRET, 'a log line');
    expect(log).not.toContain('session=abc');
  });

  it('appears nowhere in the built SPA, and neither does the variable name', () => {
    const files = filesUnder(outDir);
    expect(files.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain(SECRET);
      expect(text, file).not.toContain('AVARA_API_KEY');
    }
  });

  it('appears nowhere in the SPA build (dist/web/) either, when one is there', () => {
    const dist = join(REPO, 'dist', 'web');
    const files = existsSync(dist) ? filesUnder(dist) : [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain(SECRET);
      expect(text, file).not.toContain('AVARA_API_KEY');
    }
    // The check above is vacuous without a build; the temporary build in this file always runs, so say which held.
    expect(files.length === 0 || files.some((f) => f.endsWith('index.html'))).toBe(true);
  });
});
