// The fault-injection suite for invites: for each way Avara can misbehave, what the browser gets, how many calls
// reached Avara, what the audit trail says, and that a retry with the same Idempotency-Key ends with exactly one
// invitation (and a further replay reaches Avara no more).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec, RequestLogEntry } from '../../../src/sandbox/fault.ts';
import { RequestLogSchema } from '../../../src/sandbox/fault.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import type { ProblemCode } from '../../../src/contract/problem.ts';
import { upstreamIdempotencyKey } from '../../../src/server/idempotency/idempotent-route.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { signIn } from '../../support/session.ts';
import { startBff, startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import {
  UserAnswerSchema,
  eventually,
  expectExactlyOneInvitation,
  invite,
  inviteAudit,
  newKey,
  sleep,
  usersWithEmail,
} from './reliability-support.ts';

const UNCONFIRMED = 'We could not confirm whether the invitation was sent.';
const TIMEOUT_MS = 400;

const posts = (log: RequestLogEntry[]) =>
  log.filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users');
const lookups = (log: RequestLogEntry[]) =>
  log.filter(
    (entry) => entry.method === 'GET' && entry.path === '/v1/viewer/users' && /(^|&)email=/.test(entry.query),
  );

interface FaultCase {
  name: string;
  fault: FaultSpec;
  status: number;
  code: ProblemCode;
  /** Avara created the user although the BFF got no usable answer. */
  created: boolean;
  /** The outcome is recorded as unknown: the retry looks the email up before anything else. */
  unknown: boolean;
  /** The audit record's upstream status. */
  upstreamStatus: number | null;
  /** Text that must not reach the browser. */
  secret?: string;
  /** Avara is still busy after the BFF gave up: wait for it before checking what it did. */
  slow?: boolean;
}

const STACK_TRACE =
  'Error: boom\n    at insertUser (/srv/avara/db/users.js:42:13)\n    at processTicks (node:internal)';

const CASES: FaultCase[] = [
  {
    // The sandbox reads the body only after the delay, finds the connection gone and drops the request.
    name: 'slow beyond the timeout',
    fault: { latencyMs: 1_200 },
    slow: true,
    status: 504,
    code: 'upstream-timeout',
    created: false,
    unknown: true,
    upstreamStatus: null,
  },
  {
    name: '500 with a stack trace in the body',
    fault: { status: 500, body: JSON.stringify({ message: 'Internal error', stack: STACK_TRACE }) },
    status: 502,
    code: 'upstream-unavailable',
    created: false,
    unknown: true,
    upstreamStatus: 500,
    secret: 'users.js',
  },
  {
    name: '429 with Retry-After',
    fault: { status: 429, retryAfter: '7' },
    status: 429,
    code: 'rate-limited',
    created: false,
    unknown: false,
    upstreamStatus: 429,
  },
  {
    name: 'malformed JSON',
    fault: { malformedJson: true },
    status: 502,
    code: 'upstream-invalid-response',
    created: false,
    unknown: true,
    upstreamStatus: 200,
  },
  {
    name: 'truncated body (after Avara created the user)',
    fault: { truncateBody: true, afterHandling: true },
    status: 502,
    code: 'upstream-unavailable',
    created: true,
    unknown: true,
    upstreamStatus: null,
  },
  {
    name: 'connection reset before an answer',
    fault: { dropConnection: true },
    status: 502,
    code: 'upstream-unavailable',
    created: false,
    unknown: true,
    upstreamStatus: null,
  },
  {
    name: 'connection reset mid-response (after Avara created the user)',
    fault: { dropConnection: true, afterHandling: true },
    status: 502,
    code: 'upstream-unavailable',
    created: true,
    unknown: true,
    upstreamStatus: null,
  },
  {
    name: 'timeout after Avara created the user',
    fault: { latencyMs: 1_200, afterHandling: true },
    slow: true,
    status: 504,
    code: 'upstream-timeout',
    created: true,
    unknown: true,
    upstreamStatus: null,
  },
];

describe('invite under upstream faults', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ upstreamTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.faults.clear();
    await stack.clearUpstreamRequests();
  });

  it.each(CASES)('$name', async (fault) => {
    const person = newPerson();
    const key = newKey();
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', ...fault.fault });

    // 1. What the browser gets.
    const first = await invite(stack.client, person, key);
    const problem = expectProblem(first, fault.status, fault.code);
    if (fault.unknown) expect(problem.detail).toContain(UNCONFIRMED);
    else expect(problem.detail ?? '').not.toContain(UNCONFIRMED);
    if (fault.status === 429) {
      expect(first.headers['retry-after']).toBe('7');
      expect(problem.retryAfter).toBe(7);
    }
    if (fault.secret !== undefined) expect(first.text).not.toContain(fault.secret);
    expect(first.text).not.toMatch(/stack|insertUser|\/srv\//);

    // 2. How many calls reached Avara: the one POST, never repeated automatically.
    const firstLog = await stack.upstreamRequests();
    expect(posts(firstLog)).toHaveLength(1);
    expect(posts(firstLog)[0]?.headers['idempotency-key']).toBe(
      upstreamIdempotencyKey(stack.client.session.operator.id, key),
    );

    // 3. The audit record of the attempt.
    const [attempt, ...others] = await inviteAudit(stack.client, person.email);
    expect(others).toEqual([]);
    expect(attempt).toMatchObject({ outcome: 'failure', upstreamStatus: fault.upstreamStatus });

    // Avara finishes whatever it was doing.
    if (fault.slow) await sleep(1_300);
    if (fault.created) await eventually(async () => (await usersWithEmail(stack, person.email)).length === 1);
    else expect(await usersWithEmail(stack, person.email)).toEqual([]);

    // 4. The operator retries with the same key: exactly one invitation in the end.
    await stack.clearUpstreamRequests();
    const retry = await invite(stack.client, person, key);
    expect(retry.status, retry.text).toBe(201);
    const user = UserAnswerSchema.parse(retry.json());
    const retryLog = await stack.upstreamRequests();
    expect(lookups(retryLog)).toHaveLength(fault.unknown ? 1 : 0);
    expect(posts(retryLog)).toHaveLength(fault.created ? 0 : 1);
    expect(await expectExactlyOneInvitation(stack, person.email)).toBe(user.userId);
    const afterRetry = await inviteAudit(stack.client, person.email);
    expect(afterRetry).toHaveLength(2);
    expect(afterRetry[1]).toMatchObject({ outcome: 'success', targetUserId: user.userId });

    // 5. Once more with the key: the stored answer, marked as a replay; Avara and the audit trail see nothing.
    await stack.clearUpstreamRequests();
    const replay = await invite(stack.client, person, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(UserAnswerSchema.parse(replay.json()).userId).toBe(user.userId);
    expect(await stack.upstreamRequests()).toEqual([]);
    expect(await inviteAudit(stack.client, person.email)).toHaveLength(2);
  });
});

describe('invite while Avara is down', () => {
  it('says so, sends nothing, and the retry once Avara is back invites exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-down-'));
    const sandboxKey = `sk_test_${newKey()}`;
    const sandboxOptions = {
      dataDir: join(dir, 'sandbox'),
      apiKey: sandboxKey,
      host: '127.0.0.1',
      faultInjection: true,
      seed: false,
    };
    let sandbox = await startSandbox({ ...sandboxOptions, port: 0 });
    const port = Number(new URL(sandbox.url).port);
    const bff = await startBff({ upstreamUrl: sandbox.url, apiKey: sandboxKey, dataDir: join(dir, 'bff') });
    try {
      const client = await signIn(bff.url);
      await sandbox.close();
      const person = newPerson();
      const key = newKey();

      const first = await invite(client, person, key);
      const problem = expectProblem(first, 502, 'upstream-unavailable');
      expect(problem.detail).toMatch(/not sent|nothing was sent/i);
      const [attempt] = await inviteAudit(client, person.email);
      expect(attempt).toMatchObject({ outcome: 'failure', upstreamStatus: null });

      sandbox = await startSandbox({ ...sandboxOptions, port });
      const upstream = { sandboxUrl: sandbox.url, sandboxKey };
      const retry = await invite(client, person, key);
      expect(retry.status, retry.text).toBe(201);
      const { request } = await import('undici');
      const log = await request(`${sandbox.url}/__sandbox/requests`, {
        headers: { authorization: `Bearer ${sandboxKey}` },
      });
      const entries = RequestLogSchema.parse(await log.body.json()).requests;
      // Nothing had reached Avara the first time, so there was nothing to check: one POST, no lookup.
      expect(posts(entries)).toHaveLength(1);
      expect(lookups(entries)).toHaveLength(0);
      await expectExactlyOneInvitation(upstream, person.email);
      expect(await inviteAudit(client, person.email)).toHaveLength(2);
    } finally {
      await bff.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
