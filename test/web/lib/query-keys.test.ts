import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import {
  auditKeys,
  bulkKeys,
  invitationKeys,
  operatorKeys,
  refreshAfterChange,
  sessionKeys,
  staleAfter,
  userKeys,
} from '../../../src/web/lib/query-keys.ts';
import type { Change } from '../../../src/web/lib/query-keys.ts';

const CHANGES: readonly Change[] = ['person', 'operator', 'password', 'batch'];

describe('query keys', () => {
  it('hangs every list and detail off its resource, so one key refreshes every view of it', () => {
    expect(userKeys.list({ limit: 20 }).slice(0, 1)).toEqual(userKeys.all);
    expect(userKeys.detail('usr_1').slice(0, 1)).toEqual(userKeys.all);
    expect(invitationKeys.list({ limit: 20 }).slice(0, 1)).toEqual(invitationKeys.all);
    expect(auditKeys.list({}).slice(0, 1)).toEqual(auditKeys.all);
    expect(operatorKeys.list().slice(0, 1)).toEqual(operatorKeys.all);
    expect(sessionKeys.current().slice(0, 1)).toEqual(sessionKeys.all);
    expect(bulkKeys.lists().slice(0, 1)).toEqual(bulkKeys.all);
    expect(bulkKeys.detail('bat_1').slice(0, 1)).toEqual(bulkKeys.all);
  });

  it('refreshes the Activity trail after every kind of change (the BFF records each one)', async () => {
    for (const change of CHANGES) {
      expect(staleAfter(change)).toContainEqual(auditKeys.all);
      const queryClient = new QueryClient();
      const activity = auditKeys.list({ action: 'user.invite' });
      queryClient.setQueryData(activity, { pages: [], pageParams: [] });
      await refreshAfterChange(queryClient, change);
      expect(queryClient.getQueryState(activity)?.isInvalidated).toBe(true);
    }
  });

  it('refreshes users and invitations after a change to a person, operators after a change to an operator', async () => {
    const queryClient = new QueryClient();
    const keys = [userKeys.list({ limit: 20 }), userKeys.detail('usr_1'), invitationKeys.list({ limit: 20 })];
    const operators = operatorKeys.list();
    for (const key of [...keys, operators]) queryClient.setQueryData(key, {});
    await refreshAfterChange(queryClient, 'person');
    for (const key of keys) expect(queryClient.getQueryState(key)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(operators)?.isInvalidated).toBe(false);
    await refreshAfterChange(queryClient, 'operator');
    expect(queryClient.getQueryState(operators)?.isInvalidated).toBe(true);
  });

  it('refreshes the batches list and the people after a change to a batch, but not the batch its screen follows', async () => {
    const queryClient = new QueryClient();
    const list = bulkKeys.lists();
    const shown = bulkKeys.detail('bat_1');
    const people = [userKeys.list({ limit: 20 }), invitationKeys.list({ limit: 20 })];
    for (const key of [list, shown, ...people]) queryClient.setQueryData(key, {});
    await refreshAfterChange(queryClient, 'batch');
    for (const key of [list, ...people]) expect(queryClient.getQueryState(key)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(shown)?.isInvalidated).toBe(false);
  });
});
