// BFF instances on one PostgreSQL database and one sandbox: a batch is worked by one instance at a time (each e-mail
// invited once), even when a row's outcome could not be written, and two refreshes asked of both at once make one walk
// of Avara.
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestLogSchema } from '../../../src/sandbox/fault.ts';
import type { BulkStore } from '../../../src/server/store/bulk.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { StoreUnavailableError } from '../../../src/server/store/unavailable.ts';
import { signIn } from '../../support/session.ts';
import { startBff } from '../../support/stack.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';
import { directoryOf } from '../directory/support.ts';
import { expectExactlyOneInvitation } from '../reliability/reliability-support.ts';
import { batchOf, createBatch, startSlowUpstream, waitForBatch } from './bulk-support.ts';
import type { SlowUpstream } from './bulk-support.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

/** One instance's store (its own pool) on the shared PostgreSQL database. */
async function instanceStore(url: string): Promise<Store> {
  return openPostgresStore(url);
}

/**
 * A bulk store that stops answering, for good, once `after` rows were claimed through it: its instance froze as a
 * killed process does (rows left sending, its lease never renewed nor let go).
 */
function freezing(bulk: BulkStore, after: number): { bulk: BulkStore; claims(): number } {
  let claims = 0;
  let frozen = false;
  const never = new Promise<never>(() => undefined);
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(bulk) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      if (frozen) return never;
      const result = await method(...args);
      if (name === 'claimNext' && result !== undefined) {
        claims += 1;
        if (claims >= after) frozen = true;
      }
      return result;
    };
  }
  return { bulk: wrapped as unknown as BulkStore, claims: () => claims };
}

async function twoInstances(slow: SlowUpstream, options: { freezeAAfter?: number } = {}) {
  const url = await freshPostgresUrl();
  const dataDir = join(slow.env.DATA_DIR ?? '', 'shared');
  let frozenA: ReturnType<typeof freezing> | undefined;
  const start = async (name: 'a' | 'b') => {
    const store = await instanceStore(url);
    cleanup.push(() => store.close());
    if (name === 'a' && options.freezeAAfter !== undefined) {
      frozenA = freezing(store.bulk, options.freezeAAfter);
      store.bulk = frozenA.bulk;
    }
    const bff = await startBff({
      upstreamUrl: slow.upstream.sandboxUrl,
      apiKey: slow.upstream.sandboxKey,
      mode: 'live',
      dataDir,
      store,
      concurrency: { maxConcurrent: 4 },
    });
    cleanup.push(() => bff.close());
    return bff;
  };
  // One after the other: the first creates the first operator, the second finds it.
  const a = await start('a');
  const b = await start('b');
  return { a, b, claimsOfA: () => frozenA?.claims() ?? 0 };
}

async function sandboxRequests(slow: SlowUpstream) {
  const answer = await request(`${slow.upstream.sandboxUrl}/__sandbox/requests`, {
    headers: { authorization: `Bearer ${slow.upstream.sandboxKey}` },
  });
  return RequestLogSchema.parse(await answer.body.json()).requests;
}

describe('two instances on one PostgreSQL database', () => {
  it('a batch created on one is worked by one instance at a time: each e-mail invited exactly once', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    const { a, b } = await twoInstances(slow);
    const onA = await signIn(a.url);
    const onB = await signIn(b.url);
    const batchId = await createBatch(onA, batchOf(12));
    // Both instances look for work meanwhile (B is told of nothing, its worker looks in the database).
    const batch = await waitForBatch(onB, batchId, 60_000);
    expect(batch.state).toBe('finished');
    expect(batch.counts.sent).toBe(12);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(slow.upstream, row.email ?? ''));
    }
    const posts = await slow.invitePosts();
    expect(posts.length).toBe(12);
    expect(new Set(posts).size).toBe(12);
  }, 90_000);

  it('an instance that froze mid-batch (killed) is taken over after its lease: each e-mail invited exactly once', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    const { a, b, claimsOfA } = await twoInstances(slow, { freezeAAfter: 3 });
    const onA = await signIn(a.url);
    const onB = await signIn(b.url);
    const batchId = await createBatch(onA, batchOf(12));
    const batch = await waitForBatch(onB, batchId, 60_000);
    // A took rows and froze with them on their way; B re-ran them after A's lease (15 s) ended.
    expect(claimsOfA()).toBe(3);
    expect(batch.state).toBe('finished');
    expect(batch.counts.sent).toBe(12);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(slow.upstream, row.email ?? ''));
    }
    const posts = await slow.invitePosts();
    expect(posts.length).toBe(12);
    expect(new Set(posts).size).toBe(12);
  }, 90_000);

  it('a row whose outcome could not be written (the database went away) is put back: the batch finishes, each e-mail invited once', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    const store = await instanceStore(await freshPostgresUrl());
    cleanup.push(() => store.close());
    // The first row's outcome is lost on its way to the database (as when PostgreSQL restarts at that moment).
    const bulk = store.bulk;
    let lost = 0;
    store.bulk = {
      ...bulk,
      updateRow: async (...args) => {
        if (lost === 0) {
          lost += 1;
          throw new StoreUnavailableError();
        }
        return bulk.updateRow(...args);
      },
    };
    const bff = await startBff({
      upstreamUrl: slow.upstream.sandboxUrl,
      apiKey: slow.upstream.sandboxKey,
      mode: 'live',
      dataDir: join(slow.env.DATA_DIR ?? '', 'lost-write'),
      store,
      concurrency: { maxConcurrent: 4 },
    });
    cleanup.push(() => bff.close());
    const client = await signIn(bff.url);
    const batchId = await createBatch(client, batchOf(6));
    // The instance stops holding its batches until their lease (15 s) ends, then sends the row again with its key:
    // the answer recorded for that key, not a second invite.
    const batch = await waitForBatch(client, batchId, 60_000);
    expect(lost).toBe(1);
    expect(batch.state).toBe('finished');
    expect(batch.counts.sent).toBe(6);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(slow.upstream, row.email ?? ''));
    }
    const posts = await slow.invitePosts();
    expect(posts.length).toBe(6);
    expect(new Set(posts).size).toBe(6);
  }, 90_000);

  it('refreshes asked of both at once make one walk; both say it is refreshing, then both see it done', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    // Avara is slow to list users, so the walk is still under way when the second refresh arrives.
    const fault = await request(`${slow.upstream.sandboxUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slow.upstream.sandboxKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '/v1/viewer/users', latencyMs: 1_500, times: 10 }),
    });
    expect(fault.statusCode).toBeLessThan(300);
    await fault.body.dump();
    const { a, b } = await twoInstances(slow);
    const dirA = directoryOf(await signIn(a.url));
    const dirB = directoryOf(await signIn(b.url));
    const listings = async () =>
      (await sandboxRequests(slow)).filter(
        (entry) => entry.method === 'GET' && entry.path === '/v1/viewer/users',
      ).length;
    const before = await listings();
    const [fromA, fromB] = await Promise.all([dirA.refresh(), dirB.refresh()]);
    expect(fromA.lastError).toBeNull();
    expect(fromB.lastError).toBeNull();
    expect(fromA.asOf).not.toBeNull();
    expect((await dirB.status()).asOf).toBe((await dirA.status()).asOf);
    expect((await listings()) - before).toBe(1);
  }, 60_000);
});
