// A batch survives the server: the BFF process (as `npm start` runs it) is killed mid-batch while the sandbox is slow,
// started again on the same DATA_DIR, and the batch finishes by itself with each e-mail invited exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { startBffChild } from '../../support/bff-child.ts';
import { signIn } from '../../support/session.ts';
import { expectExactlyOneInvitation } from '../reliability/reliability-support.ts';
import {
  batchOf,
  createBatch,
  readBatch,
  startSlowUpstream,
  untilRowsAreOnTheirWay,
  waitForBatch,
} from './bulk-support.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

describe('a bulk invite across a restart of the server', () => {
  it('the killed server, started again, finishes the batch: each e-mail invited exactly once', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    const first = await startBffChild(slow.env);
    cleanup.push(first.kill);
    const client = await signIn(first.url);
    const batchId = await createBatch(client, batchOf(24));
    await untilRowsAreOnTheirWay(slow, client, batchId);
    await first.kill();

    const second = await startBffChild(slow.env);
    cleanup.push(second.kill);
    const again = await signIn(second.url);
    const midway = await readBatch(again, batchId);
    expect(midway.counts.sent).toBeGreaterThanOrEqual(3);
    const batch = await waitForBatch(again, batchId, 60_000);
    expect(batch.state).toBe('finished');
    expect(batch.counts.sent).toBe(24);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(slow.upstream, row.email ?? ''));
    }
    // Every address reached Avara's invite exactly once, across both processes.
    const posts = await slow.invitePosts();
    expect(posts.length).toBe(24);
    expect(new Set(posts).size).toBe(24);
  }, 120_000);
});
