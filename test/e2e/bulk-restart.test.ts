// A batch followed in the browser while the server dies: the BFF (as `npm start` runs it, serving the built app) is
// killed mid-batch against a slow Avara and started again on the same port and DATA_DIR. The page, never reloaded,
// carries on to the end, and each e-mail was invited exactly once (counted in the sandbox).
import { afterEach, describe, expect, it } from 'vitest';
import { startBffChild } from '../support/bff-child.ts';
import { freePort } from '../support/free-port.ts';
import { launchBrowser, signInBrowser } from '../support/browser.ts';
import { TEST_OPERATOR, signIn } from '../support/session.ts';
import { expectExactlyOneInvitation } from '../server/reliability/reliability-support.ts';
import {
  batchOf,
  createBatch,
  readBatch,
  startSlowUpstream,
  untilRowsAreOnTheirWay,
} from '../server/bulk/bulk-support.ts';
import { batchStateText } from './bulk-page.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

describe('a batch in the browser across a restart of the server', () => {
  it('the open batch page carries on when the killed server is started again: each e-mail invited exactly once', async () => {
    const slow = await startSlowUpstream();
    cleanup.push(slow.close);
    const env = { ...slow.env, PORT: String(await freePort()), MAIN_CHILD_SPA: '1' };
    const first = await startBffChild(env);
    cleanup.push(first.kill);
    const browser = await launchBrowser();
    cleanup.push(() => browser.close());
    const context = await browser.newContext();
    await signInBrowser(context, first.url, TEST_OPERATOR);
    const page = await context.newPage();

    const client = await signIn(first.url);
    const batchId = await createBatch(client, batchOf(24));
    await page.goto(`${first.url}/invite-many/${batchId}`);
    await page.getByRole('heading', { name: 'Batch of invitations', level: 1 }).waitFor();
    await untilRowsAreOnTheirWay(slow, client, batchId);
    await first.kill();

    const second = await startBffChild(env);
    cleanup.push(second.kill);
    expect(second.url).toBe(first.url);
    await expect
      .poll(() => batchStateText(page).textContent(), { timeout: 60_000, interval: 250 })
      .toBe('Finished: 24 sent, 0 failed, 0 skipped.');
    // The same browser session, on the restarted server: the page shows each person's userId.
    const batch = await readBatch(await signIn(second.url), batchId);
    for (const row of batch.rows) {
      expect(row.userId).toBe(await expectExactlyOneInvitation(slow.upstream, row.email ?? ''));
      await page.getByRole('button', { name: `Copy userId of ${row.email ?? ''}` }).waitFor();
    }
    const posts = await slow.invitePosts();
    expect(posts.length).toBe(24);
    expect(new Set(posts).size).toBe(24);
  }, 180_000);
});
