import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InviteUserInputSchema } from '../../../src/contract/users.ts';
import type { InviteUser } from '../../../src/contract/users.ts';
import { newBatchId } from '../../../src/server/store/bulk.ts';
import type { NewBatch, RowRecord } from '../../../src/server/store/bulk.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { newPerson } from '../../support/people.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
/** Instance A holds what it claims for 15 s. */
const A = { owner: 'inst_a', until: NOW + 15_000 };
const invite = (): InviteUser => InviteUserInputSchema.parse(newPerson());

function batch(invites: number, over: Partial<NewBatch> = {}, skips = 0): NewBatch {
  return {
    id: newBatchId(),
    createdAt: NOW,
    operatorId: 'opr_a',
    operatorEmail: 'dana@clinic.example',
    operatorName: 'Dana Smith',
    creationKey: newBatchId(),
    auditId: 7,
    columns: ['First name', 'E-mail'],
    rows: [
      ...Array.from({ length: invites }, (_, i) => {
        const person = invite();
        return {
          line: i + 2,
          cells: [person.firstName, person.email],
          invite: person,
          userId: null,
          message: null,
        };
      }),
      ...Array.from({ length: skips }, (_, i) => ({
        line: invites + i + 2,
        cells: ['Skip', `skip${i}@clinic.example`],
        invite: null,
        userId: 'usr_existing',
        message: 'Already has an account.',
      })),
    ],
    ...over,
  };
}

describe.each(STORE_BACKENDS)('the bulk store on $name', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('keeps a batch and its rows, finds it by its creation key, lists the newest first', async () => {
    const first = batch(2, { createdAt: NOW }, 1);
    const second = batch(1, { createdAt: NOW + 1 });
    const created = await store.bulk.create(first);
    await store.bulk.create(second);
    expect(created).toMatchObject({ id: first.id, state: 'running', total: 3, auditId: 7, version: 1 });
    expect(created.columns).toEqual(first.columns);
    expect(await store.bulk.findByCreationKey('opr_a', first.creationKey)).toEqual(created);
    expect(await store.bulk.findByCreationKey('opr_b', first.creationKey)).toBeUndefined();
    expect((await store.bulk.recent(10)).map((b) => b.id)).toEqual([second.id, first.id]);
    expect(await store.bulk.counts(first.id)).toEqual({
      waiting: 2,
      sending: 0,
      sent: 0,
      failed: 0,
      skipped: 1,
      cancelled: 0,
    });
    const rows = await store.bulk.rows(first.id, 0);
    expect(rows.map((r) => [r.index, r.line, r.state, r.email])).toEqual([
      [0, 2, 'waiting', first.rows[0]?.invite?.email],
      [1, 3, 'waiting', first.rows[1]?.invite?.email],
      [2, 4, 'skipped', null],
    ]);
    expect(rows[0]?.invite).toEqual(first.rows[0]?.invite);
    expect(rows[2]).toMatchObject({ userId: 'usr_existing', message: 'Already has an account.' });
    await expect(store.bulk.create({ ...batch(1), creationKey: first.creationKey })).rejects.toThrow();
  });

  it('sends the oldest batch first, row by row; each change is one version newer', async () => {
    const older = batch(2, { createdAt: NOW - 10 });
    const newer = batch(1, { createdAt: NOW });
    await store.bulk.create(newer);
    await store.bulk.create(older);
    const claimed: RowRecord[] = [];
    for (
      let row = await store.bulk.claimNext(NOW, A);
      row !== undefined;
      row = await store.bulk.claimNext(NOW, A)
    )
      claimed.push(row);
    expect(claimed.map((r) => [r.batchId, r.index, r.state])).toEqual([
      [older.id, 0, 'sending'],
      [older.id, 1, 'sending'],
      [newer.id, 0, 'sending'],
    ]);
    const before = await store.bulk.get(older.id);
    await store.bulk.updateRow(older.id, 0, {
      state: 'sent',
      userId: 'usr_1',
      message: null,
      requestId: 'req-1',
    });
    const after = await store.bulk.get(older.id);
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    const changed = await store.bulk.rows(older.id, before?.version ?? 0);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ index: 0, state: 'sent', userId: 'usr_1', requestId: 'req-1' });
    expect(await store.bulk.finishIfDone(older.id, NOW)).toBeUndefined();
    await store.bulk.updateRow(older.id, 1, {
      state: 'failed',
      userId: null,
      message: 'No.',
      requestId: 'req-2',
    });
    expect(await store.bulk.unsettled()).toEqual([older.id, newer.id]);
    const finished = await store.bulk.finishIfDone(older.id, NOW + 5);
    expect(finished).toMatchObject({ state: 'finished', finishedAt: NOW + 5, auditCompleted: false });
    expect(await store.bulk.finishIfDone(older.id, NOW + 6)).toBeUndefined();
    await store.bulk.markAudited(older.id);
    expect(await store.bulk.unsettled()).toEqual([newer.id]);
  });

  it('a paused batch waits until its time, then runs again; the later pause wins', async () => {
    const paused = batch(2);
    await store.bulk.create(paused);
    const row = await store.bulk.claimNext(NOW, A);
    await store.bulk.pause(paused.id, NOW + 5_000);
    await store.bulk.pause(paused.id, NOW + 1_000);
    if (row === undefined) throw new Error('a row');
    await store.bulk.updateRow(paused.id, row.index, { state: 'waiting', tries: 1 });
    expect(await store.bulk.get(paused.id)).toMatchObject({ state: 'paused', pausedUntil: NOW + 5_000 });
    expect(await store.bulk.nextWake()).toBe(NOW + 5_000);
    expect(await store.bulk.claimNext(NOW + 4_999, A)).toBeUndefined();
    const again = await store.bulk.claimNext(NOW + 5_000, A);
    expect(again).toMatchObject({ index: 0, state: 'sending', tries: 1 });
    expect(await store.bulk.get(paused.id)).toMatchObject({ state: 'running', pausedUntil: null });
    expect(await store.bulk.nextWake()).toBeUndefined();
  });

  it('after a restart, rows left sending wait again with their attempt unchanged', async () => {
    const b = batch(3);
    await store.bulk.create(b);
    await store.bulk.claimNext(NOW, A);
    await store.bulk.claimNext(NOW, A);
    // Not while A still holds the batch.
    expect(await store.bulk.requeueSending(NOW + 14_999)).toBe(0);
    expect(await store.bulk.requeueSending(NOW + 15_000)).toBe(2);
    expect(await store.bulk.counts(b.id)).toMatchObject({ waiting: 3, sending: 0 });
    expect((await store.bulk.rows(b.id, 0)).map((r) => r.attempt)).toEqual([0, 0, 0]);
    expect(await store.bulk.requeueSending(NOW + 15_000)).toBe(0);
  });

  it('cancel: rows not sent are cancelled, the one on its way finishes; a late return to waiting is cancelled', async () => {
    const b = batch(3);
    await store.bulk.create(b);
    const onItsWay = await store.bulk.claimNext(NOW, A);
    const returning = await store.bulk.claimNext(NOW, A);
    expect(await store.bulk.cancel(b.id, 'dana@clinic.example')).toBe('cancelled');
    expect(await store.bulk.cancel(b.id, 'dana@clinic.example')).toBe('cancelled');
    expect(await store.bulk.cancel('bat_unknown', 'dana@clinic.example')).toBe('not-found');
    expect(await store.bulk.claimNext(NOW, A)).toBeUndefined();
    await store.bulk.updateRow(b.id, onItsWay?.index ?? -1, {
      state: 'sent',
      userId: 'usr_1',
      requestId: 'r',
    });
    await store.bulk.updateRow(b.id, returning?.index ?? -1, { state: 'waiting' });
    expect(await store.bulk.counts(b.id)).toMatchObject({ sent: 1, cancelled: 2, waiting: 0 });
    expect(await store.bulk.finishIfDone(b.id, NOW)).toMatchObject({
      state: 'cancelled',
      cancelledBy: 'dana@clinic.example',
      finishedAt: NOW,
    });
    const done = batch(1);
    await store.bulk.create(done);
    const row = await store.bulk.claimNext(NOW, A);
    await store.bulk.updateRow(done.id, row?.index ?? -1, { state: 'sent', userId: 'usr_2' });
    await store.bulk.finishIfDone(done.id, NOW);
    expect(await store.bulk.cancel(done.id, 'dana@clinic.example')).toBe('finished');
  });

  it('retry: only a failed row, not onto another row’s e-mail, not in a cancelled batch; the batch runs again', async () => {
    const b = batch(2);
    await store.bulk.create(b);
    const first = await store.bulk.claimNext(NOW, A);
    const second = await store.bulk.claimNext(NOW, A);
    if (first === undefined || second === undefined) throw new Error('two rows');
    await store.bulk.updateRow(b.id, first.index, { state: 'failed', message: 'Bad role.', requestId: 'r1' });
    expect(await store.bulk.retry(b.id, second.index, invite())).toEqual({
      kind: 'not-failed',
      state: 'sending',
    });
    await store.bulk.updateRow(b.id, second.index, { state: 'sent', userId: 'usr_2' });
    await store.bulk.finishIfDone(b.id, NOW);
    expect(await store.bulk.retry(b.id, 9, invite())).toEqual({ kind: 'not-found' });
    const taken = { ...invite(), email: (second.email ?? '').toUpperCase() };
    expect(await store.bulk.retry(b.id, first.index, taken)).toEqual({
      kind: 'email-taken',
      line: second.line,
    });
    const corrected = invite();
    const retried = await store.bulk.retry(b.id, first.index, corrected);
    expect(retried).toMatchObject({
      kind: 'retried',
      row: {
        state: 'waiting',
        attempt: 1,
        tries: 0,
        invite: corrected,
        email: corrected.email,
        message: null,
      },
    });
    expect(await store.bulk.get(b.id)).toMatchObject({ state: 'running', finishedAt: null });
    const cancelled = batch(1);
    await store.bulk.create(cancelled);
    const row = await store.bulk.claimNext(NOW, A);
    await store.bulk.updateRow(cancelled.id, row?.index ?? -1, { state: 'failed', message: 'No.' });
    await store.bulk.cancel(cancelled.id, 'dana@clinic.example');
    expect(await store.bulk.retry(cancelled.id, 0, invite())).toEqual({ kind: 'cancelled' });
  });

  it('claims made at the same time never take one row twice', async () => {
    const b = batch(40);
    await store.bulk.create(b);
    const taken: number[] = [];
    // Eight claimers at once, each until no row waits (a claim may find the batch locked by another: none then).
    const claimer = async () => {
      while ((await store.bulk.counts(b.id)).waiting > 0) {
        const row = await store.bulk.claimNext(NOW, A);
        if (row !== undefined) taken.push(row.index);
      }
    };
    await Promise.all(Array.from({ length: 8 }, claimer));
    expect(taken).toHaveLength(40);
    expect(new Set(taken).size).toBe(40);
    expect(await store.bulk.counts(b.id)).toMatchObject({ sending: 40, waiting: 0 });
  });

  it('a batch is worked by the instance holding it; another takes it over once the lease ends, re-running its rows', async () => {
    const b = batch(3);
    await store.bulk.create(b);
    const first = await store.bulk.claimNext(NOW, A);
    expect(first).toMatchObject({ index: 0, state: 'sending' });
    const B = { owner: 'inst_b', until: NOW + 30_000 };
    expect(await store.bulk.claimNext(NOW + 1_000, B)).toBeUndefined();
    // A renews: still A's after its first lease would have ended.
    await store.bulk.renewLeases('inst_a', NOW + 20_000);
    expect(await store.bulk.claimNext(NOW + 19_999, B)).toBeUndefined();
    expect(await store.bulk.claimNext(NOW + 19_999, { ...A, until: NOW + 35_000 })).toMatchObject({
      index: 1,
    });
    // A stops renewing: B takes the batch over after the lease; A's rows on their way wait again, attempt unchanged.
    const taken = await store.bulk.claimNext(NOW + 35_000, { ...B, until: NOW + 50_000 });
    expect(taken).toMatchObject({ index: 0, state: 'sending', attempt: 0 });
    expect(await store.bulk.get(b.id)).toMatchObject({ state: 'running' });
    expect(await store.bulk.counts(b.id)).toMatchObject({ sending: 1, waiting: 2 });
    expect(await store.bulk.claimNext(NOW + 36_000, { ...A, until: NOW + 51_000 })).toBeUndefined();
    // B stops cleanly: A may take it at once.
    await store.bulk.releaseLeases('inst_b');
    expect(await store.bulk.claimNext(NOW + 36_000, { ...A, until: NOW + 51_000 })).toMatchObject({
      index: 1,
    });
  });
});
