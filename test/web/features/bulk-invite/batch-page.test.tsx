import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { BatchPage } from '../../../../src/web/features/bulk-invite/batch-page.tsx';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { DANA_SESSION, renderGated } from '../../signed-in.tsx';
import { BATCH_ID, batch, changes, invite, nth, row, summaryOf, userIdOf } from './batch-fixtures.ts';

const PATH = `/api/bulk-invites/${BATCH_ID}`;

function renderBatch() {
  return renderGated(<BatchPage />, { path: `/invite-many/${BATCH_ID}`, route: '/invite-many/:batchId' });
}

const noBatches = () => json({ batches: [] });

describe('Batch screen', () => {
  it('shows progress, the counts by outcome and each row as it is', async () => {
    const rows = [
      row(0, 'sent'),
      row(1, 'failed', { message: 'Avara refused the phone number.', requestId: 'req_77' }),
      row(2, 'skipped', { message: 'Already a user.', userId: userIdOf(2) }),
      row(3, 'waiting'),
    ];
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: () => json(batch(rows, { state: 'paused', pausedUntil: '2026-03-02T09:20:05.000Z' })),
    });
    renderBatch();
    const bar = await screen.findByRole('progressbar', { name: 'Batch progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '75');
    expect(bar).toHaveAttribute('aria-valuetext', '3 of 4 rows done (75%)');
    const count = (label: string) =>
      screen.getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect([count('Sent'), count('Failed'), count('Skipped'), count('Waiting')]).toEqual([
      '1',
      '1',
      '1',
      '1',
    ]);
    expect(screen.getByText(/^Paused: Avara asked us to wait until /)).toBeVisible();

    const table = screen.getByRole('table', { name: 'Results by row' });
    expect(table).toHaveAttribute('aria-rowcount', '5');
    const bodyRows = within(table).getAllByRole('row').slice(1);
    expect(bodyRows).toHaveLength(4);
    expect(within(nth(bodyRows, 0)).getByText(userIdOf(0))).toBeVisible();
    expect(
      within(nth(bodyRows, 0)).getByRole('button', { name: 'Copy userId of ann0@clinic.org' }),
    ).toBeVisible();
    expect(within(nth(bodyRows, 1)).getByText('Avara refused the phone number.')).toBeVisible();
    expect(within(nth(bodyRows, 1)).getByText('req_77')).toBeVisible();
    expect(
      within(nth(bodyRows, 1)).getByRole('button', { name: 'Correct and retry ann1@clinic.org' }),
    ).toBeVisible();
    expect(within(nth(bodyRows, 2)).getByText('Already a user.')).toBeVisible();
    expect(within(nth(bodyRows, 3)).getByText('Waiting')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Cancel the rest' })).toBeVisible();
  });
});

describe('Batch screen, live', () => {
  it('asks for what changed since the version shown, merges it, and stops asking once the batch is finished', async () => {
    const first = [row(0, 'waiting'), row(1, 'waiting'), row(2, 'waiting')];
    const second = [row(0, 'sent', { version: 2 }), row(1, 'sending', { version: 3 }), nth(first, 2)];
    const third = [nth(second, 0), row(1, 'sent', { version: 4 }), row(2, 'sent', { version: 5 })];
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: [
        () => json(batch(first)),
        () => json(changes(second, second.slice(0, 2), { version: 3 })),
        () =>
          json(
            changes(third, third.slice(1), {
              version: 6,
              state: 'finished',
              finishedAt: '2026-03-02T09:16:00.000Z',
            }),
          ),
      ],
    });
    renderBatch();
    expect(await screen.findByText(userIdOf(0), {}, { timeout: 3000 })).toBeVisible();
    expect(screen.getByRole('progressbar', { name: 'Batch progress' })).toHaveAttribute(
      'aria-valuenow',
      '33',
    );
    expect(
      await screen.findByText(/^Finished: 3 sent, 0 failed, 0 skipped\.$/, {}, { timeout: 3000 }),
    ).toBeVisible();
    for (const n of [0, 1, 2]) expect(screen.getByText(userIdOf(n))).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Cancel the rest' })).not.toBeInTheDocument();
    const polls = () => api.requests.filter((r) => r.path.startsWith(PATH)).map((r) => r.path);
    expect(polls()).toEqual([PATH, `${PATH}?since=1`, `${PATH}?since=3`]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(polls()).toHaveLength(3);
  });

  it('asks nothing while the tab is hidden, and carries on when it is shown again', async () => {
    const rows = [row(0, 'waiting')];
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: () => json(batch(rows)),
    });
    let visibility: DocumentVisibilityState = 'hidden';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    renderBatch();
    await screen.findByRole('progressbar', { name: 'Batch progress' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const polls = () => api.requests.filter((r) => r.path.startsWith(`${PATH}?since=`));
    expect(polls()).toHaveLength(0);
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(polls().length).toBeGreaterThan(0), { timeout: 3000 });
  });
});

describe('Batch screen, actions', () => {
  it('cancels the rows not sent yet after asking', async () => {
    const rows = [row(0, 'sent'), row(1, 'waiting'), row(2, 'waiting')];
    const after = [nth(rows, 0), row(1, 'cancelled', { version: 7 }), row(2, 'cancelled', { version: 7 })];
    let cancelled = false;
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: (request) => {
        if (!request.path.includes('since=')) return json(batch(rows));
        // Nothing changes until the batch is cancelled.
        return json(
          cancelled ? changes(after, after.slice(1), { version: 7, state: 'cancelled' }) : changes(rows, []),
        );
      },
      [`POST ${PATH}/cancel`]: () => {
        cancelled = true;
        return json(summaryOf(batch(after, { version: 7, state: 'cancelled' })));
      },
    });
    const { user } = renderBatch();
    await user.click(await screen.findByRole('button', { name: 'Cancel the rest' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop sending the rest of this batch?' });
    expect(dialog).toHaveTextContent('The 2 rows not sent yet will not be sent.');
    await user.click(within(dialog).getByRole('button', { name: 'Stop sending' }));
    expect(await screen.findByText(/^Cancelled: 1 sent, 0 failed, 0 skipped, 2 not sent\.$/)).toBeVisible();
    const cancel = api.requests.filter((r) => r.method === 'POST');
    expect(cancel).toHaveLength(1);
    expect(cancel[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getAllByText('Not sent (cancelled)', { selector: '.MuiChip-label' })).toHaveLength(2);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Download results CSV' })).toHaveFocus());
  });

  it('copies email⇥userId of the sent rows, one per line, and downloads every input column with the outcome', async () => {
    const rows = [
      row(0, 'sent'),
      row(1, 'failed', { message: 'Avara said no, "twice", today', requestId: 'req_1' }),
      row(2, 'skipped', {
        message: 'Already a user.',
        userId: userIdOf(9),
        cells: ['=Bo', 'Ng', 'bo@x.org'],
      }),
      row(3, 'sent'),
    ];
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: () => json(batch(rows, { state: 'finished' })),
    });
    const files: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = (blob: Blob) => {
      files.push(blob);
      return 'blob:results';
    };
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const { user } = renderBatch();
    await user.click(await screen.findByRole('button', { name: 'Copy as TSV' }));
    expect(await screen.findByRole('button', { name: 'Copied as TSV' })).toBeVisible();
    expect(await navigator.clipboard.readText()).toBe(
      `ann0@clinic.org\t${userIdOf(0)}\nann3@clinic.org\t${userIdOf(3)}`,
    );

    await user.click(screen.getByRole('button', { name: 'Download results CSV' }));
    expect(names).toEqual([`invite-results-${BATCH_ID}.csv`]);
    const bytes = new Uint8Array(await nth(files, 0).arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(
      '\uFEFFFirst name,Last name,E-mail,Role,status,userId,message\r\n' +
        `Ann0,Lee,ann0@clinic.org,radiologist,sent,${userIdOf(0)},\r\n` +
        'Ann1,Lee,ann1@clinic.org,radiologist,failed,,"Avara said no, ""twice"", today"\r\n' +
        `'=Bo,Ng,bo@x.org,,skipped,${userIdOf(9)},Already a user.\r\n` +
        `Ann3,Lee,ann3@clinic.org,radiologist,sent,${userIdOf(3)},\r\n`,
    );
  });

  it('corrects a failed row in place, checked as a single invite, and sends it again', async () => {
    const failed = row(1, 'failed', {
      message: 'Avara refused the phone number.',
      requestId: 'req_42',
      invite: invite(1, { middleName: 'Q', phoneNumber: '5550000000' }),
    });
    const rows = [row(0, 'sent'), failed];
    const corrected = invite(1, { email: 'ann.lee@clinic.org', middleName: 'Q', phoneNumber: '5551234567' });
    const waiting = row(1, 'waiting', { version: 9, email: corrected.email, invite: corrected });
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: [
        () => json(batch(rows, { state: 'finished' })),
        () => json(changes([nth(rows, 0), waiting], [waiting], { version: 9, state: 'running' })),
      ],
      [`POST ${PATH}/rows/1/retry`]: () => json(waiting),
    });
    const { user } = renderBatch();
    await user.click(await screen.findByRole('button', { name: 'Correct and retry ann1@clinic.org' }));
    const dialog = await screen.findByRole('dialog', { name: 'Correct line 3 and send it again' });
    expect(within(dialog).getByText(/Avara refused the phone number\. \(request id req_42\)/)).toBeVisible();
    expect(within(dialog).getByLabelText(/^First name/)).toHaveValue('Ann1');
    expect(within(dialog).getByLabelText(/^Middle name/)).toHaveValue('Q');
    const email = within(dialog).getByLabelText(/^Email/);
    expect(email).toHaveValue('ann1@clinic.org');
    const phone = within(dialog).getByLabelText(/^Phone/);
    expect(phone).toHaveValue('5550000000');
    await user.clear(within(dialog).getByLabelText(/^First name/));
    await user.click(within(dialog).getByRole('button', { name: 'Send again' }));
    expect(within(dialog).getByLabelText(/^First name/)).toHaveAccessibleDescription(/first name/i);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText(/^First name/), 'Ann1');
    await user.clear(email);
    await user.type(email, 'ann.lee@clinic.org');
    await user.clear(phone);
    await user.type(phone, '(555) 123-4567');
    await user.click(within(dialog).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.body)).toEqual([{ invite: corrected }]);
    expect(posts[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await screen.findByText(/^Sending…$/)).toBeVisible();
  });

  it('lists the recent batches with who ran each, when, the counts and a link', async () => {
    const rows = [row(0, 'sent'), row(1, 'failed')];
    const summary = summaryOf(batch(rows, { state: 'finished' }));
    const other = {
      ...summary,
      batchId: `bat_${'f'.repeat(32)}`,
      state: 'running' as const,
      total: 40,
      counts: { waiting: 30, sending: 2, sent: 8, failed: 0, skipped: 0, cancelled: 0 },
      createdBy: { operatorId: `opr_${'b'.repeat(32)}`, email: 'fox@clinic.org', displayName: 'Fox Mulder' },
    };
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': () => json({ batches: [other, summary] }),
      [`GET ${PATH}`]: () => json(batch(rows, { state: 'finished' })),
    });
    renderBatch();
    const section = await screen.findByRole('region', { name: 'Recent batches' });
    const items = await within(section).findAllByRole('listitem');
    expect(items).toHaveLength(2);
    const running = within(nth(items, 0)).getByRole('link', { name: /^40 rows, / });
    expect(running).toHaveAttribute('href', `/invite-many/bat_${'f'.repeat(32)}`);
    expect(items[0]).toHaveTextContent(
      'By Fox Mulder (fox@clinic.org) · 8 sent · 0 failed · 0 skipped · 32 waiting',
    );
    expect(within(nth(items, 0)).getByText('Sending')).toBeVisible();
    const shown = within(nth(items, 1)).getByRole('link', { name: /^2 rows, / });
    expect(shown).toHaveAttribute('aria-current', 'page');
    expect(items[1]).toHaveTextContent('By Dana Scully (dana@clinic.org) · 1 sent · 1 failed · 0 skipped');
  });

  it('says so when the address is not a batch, without asking the server', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
    });
    renderGated(<BatchPage />, { path: '/invite-many/bat_nope', route: '/invite-many/:batchId' });
    expect(await screen.findByText('This is not the address of a batch.')).toBeVisible();
    expect(api.requests.some((r) => r.path.startsWith('/api/bulk-invites/'))).toBe(false);
  });
});

describe('Batch screen, a thousand rows', () => {
  it('puts only the rows in view in the page, and says where each is among all of them', async () => {
    const rows = Array.from({ length: 1000 }, (_, n) => row(n, n < 400 ? 'sent' : 'waiting'));
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: () => json(batch(rows, { state: 'finished', finishedAt: '2026-03-02T10:00:00.000Z' })),
    });
    renderBatch();
    const table = await screen.findByRole('table', { name: 'Results by row' });
    expect(table).toHaveAttribute('aria-rowcount', '1001');
    const shown = within(table).getAllByRole('row').slice(1);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(100);
    expect(nth(shown, 0)).toHaveAttribute('aria-rowindex', '2');
    expect(within(nth(shown, 0)).getByText(userIdOf(0))).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Batch progress' })).toHaveAttribute(
      'aria-valuenow',
      '40',
    );
  });
});

describe('time left', () => {
  it('is worked out from the rate seen while the batch runs', async () => {
    const at = (sent: number, version: number) =>
      Array.from({ length: 100 }, (_, n) => (n < sent ? row(n, 'sent', { version }) : row(n, 'waiting')));
    let sent = 0;
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: (request) => {
        if (!request.path.includes('since=')) return json(batch(at(0, 1)));
        sent += 5;
        const all = at(sent, sent + 1);
        return json(
          changes(
            all,
            all.filter((each) => each.state === 'sent'),
            { version: sent + 1 },
          ),
        );
      },
    });
    renderBatch();
    expect(await screen.findByText('Working out the time left.')).toBeVisible();
    // Five rows a poll (about a second), 85 or so to go once the rate is known: some 15 to 20 seconds.
    const left = await screen.findByText(/^About \d+ seconds left\.$/, {}, { timeout: 6000 });
    const seconds = Number(/\d+/.exec(left.textContent ?? '')?.[0]);
    expect(seconds).toBeGreaterThanOrEqual(10);
    expect(seconds).toBeLessThanOrEqual(40);
  });
});

describe('Batch screen, when the server does not answer as hoped', () => {
  it('keeps the batch shown while a poll fails, says so, and carries on once the server answers', async () => {
    const rows = [row(0, 'waiting')];
    const done = [row(0, 'sent', { version: 2 })];
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: [
        () => json(batch(rows)),
        () => problem(503, { type: '/problems/upstream-unavailable', title: 'The server is busy' }),
        () => json(changes(done, done, { version: 2, state: 'finished' })),
      ],
    });
    renderBatch();
    const warning = await screen.findByText(/^Could not get the latest progress/, {}, { timeout: 3000 });
    expect(warning).toHaveTextContent(
      'Could not get the latest progress. The server is busy. Trying again; the batch carries on regardless.',
    );
    expect(screen.getByRole('table', { name: 'Results by row' })).toBeVisible();
    expect(await screen.findByText(/^Finished: 1 sent/, {}, { timeout: 5000 })).toBeVisible();
    expect(screen.queryByText(/^Could not get the latest progress/)).not.toBeInTheDocument();
  });

  it('says there is no batch at an address the server does not know', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/bulk-invites': noBatches,
      [`GET ${PATH}`]: () => problem(404, { type: '/problems/not-found', title: 'Not found' }),
    });
    renderBatch();
    expect(await screen.findByText('There is no batch at this address.')).toBeVisible();
    expect(screen.getByRole('link', { name: 'Invite many people' })).toHaveAttribute('href', '/invite-many');
  });
});
