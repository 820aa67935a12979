// Two instances on one PostgreSQL database behind nginx (deploy/nginx.conf): what an operator does on one holds on
// the other, and neither a second instance, a killed one nor a database restart loses or doubles anything.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkBatchSchema } from '../../src/contract/bulk.ts';
import type { InviteUserInput } from '../../src/contract/users.ts';
import { batchOf, createBatch } from '../server/bulk/bulk-support.ts';
import { DATABASE_PASSWORD, startCluster } from '../support/cluster.ts';
import { clusterHttp, sessionAt, signInAt } from '../support/cluster-clients.ts';
import type { Cluster, ClusterInstance } from '../support/cluster.ts';
import { expectProblem } from '../support/http.ts';
import { newPerson } from '../support/people.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { SignedInClient } from '../support/session.ts';

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;
/** Signed in before the wrong-password test locks TEST_OPERATOR's account out of new sign-ins. */
let admin: SignedInClient;

beforeAll(async () => {
  // A shorter upstream deadline shortens the idempotency lease to its floor (60 s): how long a row a killed instance
  // left on its way waits before another instance may find out what became of it.
  cluster = await startCluster({ env: { UPSTREAM_TIMEOUT_MS: '5000', LOG_LEVEL: 'info' } });
  const [first, second] = cluster.instances;
  if (!first || !second) throw new Error('The cluster has two instances.');
  a = first;
  b = second;
  admin = await signInAt(cluster, 'nginx');
});

function postgresOf(running: Cluster) {
  if (!running.postgres) throw new Error('This cluster runs on PostgreSQL.');
  return running.postgres;
}

afterAll(async () => {
  // Every instance logged at info level throughout: never the database's password.
  for (const instance of cluster.instances) expect(instance.child.output()).not.toContain(DATABASE_PASSWORD);
  await cluster.close();
});

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('It did not happen in time.');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The instance holding a batch's lease (its id), read from the database. */
async function leaseOwner(batchId: string): Promise<string | null> {
  const db = new pg.Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ lease_owner: string | null }>(
      'SELECT lease_owner FROM bulk_batches WHERE id = $1',
      [batchId],
    );
    return rows[0]?.lease_owner ?? null;
  } finally {
    await db.end();
  }
}

function invite(client: SignedInClient, person: InviteUserInput, key = randomUUID()) {
  return client.post('/api/users', person, { idempotencyKey: key });
}

async function invitesUpstream(email?: string): Promise<number> {
  const posts = (await cluster.upstreamRequests()).filter(
    (entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users',
  );
  if (email === undefined) return posts.length;
  return posts.filter((entry) => JSON.stringify(entry.body).includes(email)).length;
}

describe('two instances behind nginx on one PostgreSQL database', () => {
  it('serves through nginx over TLS, each request balanced round robin over both instances', async () => {
    const client = await signInAt(cluster, 'nginx');
    for (let i = 0; i < 6; i += 1) {
      const answer = await client.get('/api/session');
      expect(answer.status, answer.text).toBe(200);
    }
    const sessionReads = cluster
      .balanced()
      .filter((entry) => entry.path === '/api/session' && entry.method === 'GET');
    expect(sessionReads).toHaveLength(6);
    expect(new Set(sessionReads.map((entry) => entry.upstream))).toEqual(
      new Set([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]),
    );
  });

  it('a session made on A works on B; signing out on B ends it on A at once', async () => {
    const onA = await signInAt(cluster, a);
    const onB = sessionAt(cluster, b, onA.cookie, onA.session);
    expect((await onB.get('/api/session')).status).toBe(200);
    expect((await onB.delete('/api/session')).status).toBe(204);
    expectProblem(await onA.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await onB.get('/api/users'), 401, 'unauthenticated');
  });

  it('the same Idempotency-Key sent to A and B at the same moment: one invite reaches Avara, the other waits (409)', async () => {
    const onA = await signInAt(cluster, a);
    const onB = sessionAt(cluster, b, onA.cookie, onA.session);
    const person = newPerson();
    const key = randomUUID();
    await cluster.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 1_000 });
    const answers = await Promise.all([invite(onA, person, key), invite(onB, person, key)]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses, answers.map((answer) => answer.text).join('\n')).toEqual([201, 409]);
    const waiting = answers.find((answer) => answer.status === 409);
    if (waiting) expectProblem(waiting, 409, 'request-in-progress');
    // Sent again once the first is done, from either instance: the recorded answer.
    const replay = await invite(onB, person, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(await invitesUpstream(person.email)).toBe(1);
  });

  it('six wrong passwords spread over A and B: the sixth is refused with 429', async () => {
    const email = TEST_OPERATOR.email;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const target = attempt % 2 === 0 ? a : b;
      const answer = await clusterHttp(cluster, target, 'POST', '/api/session', {
        body: { email, password: `wrong guess ${attempt}` },
        clientAddress: '203.0.113.50',
      });
      statuses.push(answer.status);
      if (attempt === 5) {
        expectProblem(answer, 429, 'rate-limited');
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("through nginx a client's own X-Forwarded-For is not believed: six wrong guesses from one client → the sixth is 429", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      // Each guess another account and another claimed address: only the address nginx saw counts.
      const answer = await clusterHttp(cluster, 'nginx', 'POST', '/api/session', {
        body: { email: `nobody-${attempt}@clinic.test`, password: `wrong guess ${attempt}` },
        headers: { 'x-forwarded-for': `192.0.2.${attempt + 1}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a batch started on A finishes on B after A is killed (SIGKILL): every e-mail invited exactly once', async () => {
    const onA = sessionAt(cluster, a, admin.cookie, admin.session);
    const body = batchOf(12);
    const emails = body.rows.flatMap((row) => (row.invite ? [row.invite.email] : []));
    await cluster.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 300, times: 1_000 });
    const batchId = await createBatch(onA, body);
    const read = async () => BulkBatchSchema.parse((await admin.get(`/api/bulk-invites/${batchId}`)).json());
    // Some rows are sent (by whichever instance holds the batch), then A dies without a word.
    await eventually(async () =>
      (await read()).rows.filter((row) => row.state === 'sent').length >= 2 ? true : undefined,
    );
    const holder = await leaseOwner(batchId);
    expect(holder).not.toBeNull();
    await a.kill();
    try {
      // B takes it over: the lease passes to another instance (so A held it, and B finishes it).
      await eventually(async () => {
        const owner = await leaseOwner(batchId);
        return owner !== null && owner !== holder ? owner : undefined;
      });
      // B takes the batch over once A's lease (15 s) ends; a row A left on its way waits for its idempotency key's
      // lease (60 s here) before B asks Avara what became of it.
      const finished = await eventually(async () => {
        const batch = await read();
        return batch.state === 'finished' ? batch : undefined;
      }, 150_000);
      expect(finished.rows.map((row) => row.state)).toEqual(emails.map(() => 'sent'));
      for (const email of emails) expect(await invitesUpstream(email)).toBe(1);
    } finally {
      await cluster.faults.clear();
      await a.start();
    }
  }, 200_000);

  it('PostgreSQL restarted: requests needing it get 503 and /readyz says so; then both recover without a restart', async () => {
    await postgresOf(cluster).stopServer();
    const refusedPerson = newPerson();
    try {
      for (const target of [a, b]) {
        const onTarget = sessionAt(cluster, target, admin.cookie, admin.session);
        const down = await onTarget.get('/api/session');
        const problem = expectProblem(down, 503, 'database-unavailable');
        expect(problem.retryAfter).toBeGreaterThan(0);
        const ready = await clusterHttp(cluster, target, 'GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.json()).toMatchObject({
          status: 'unavailable',
          checks: { database: { status: 'fail' } },
        });
        expect((await clusterHttp(cluster, target, 'GET', '/healthz')).status).toBe(200);
      }
      expectProblem(await invite(admin, refusedPerson), 503, 'database-unavailable');
    } finally {
      await postgresOf(cluster).startServer();
    }
    for (const target of [a, b]) {
      await eventually(async () =>
        (await clusterHttp(cluster, target, 'GET', '/readyz')).status === 200 ? true : undefined,
      );
      const onTarget = sessionAt(cluster, target, admin.cookie, admin.session);
      expect((await onTarget.get('/api/session')).status).toBe(200);
    }
    // Nothing of the refused invite happened; the same invite goes through now.
    expect(await invitesUpstream(refusedPerson.email)).toBe(0);
    expect((await invite(admin, refusedPerson)).status).toBe(201);
    expect(await invitesUpstream(refusedPerson.email)).toBe(1);
  });
});
