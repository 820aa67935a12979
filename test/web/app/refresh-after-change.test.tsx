import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { createdUser, fakeApi, json, SARAH } from '../fake-api.ts';
import { renderApp } from '../render-app.tsx';

const INVITED: AuditRecord = {
  id: '1',
  at: '2026-03-02T09:15:00.000Z',
  operatorId: `opr_${'a'.repeat(32)}`,
  operatorEmail: 'dana@clinic.org',
  action: 'user.invite',
  targetUserId: SARAH.userId,
  targetInvitationId: null,
  targetOperatorId: null,
  targetEmail: 'new.person@clinic.org',
  requestId: 'req-1',
  outcome: 'success',
  upstreamStatus: 201,
  detail: null,
  clientAddress: null,
  changes: [],
  targetName: null,
};

describe('a change refreshes the screens that show it', () => {
  it('shows a new invitation in Activity when the operator goes back to it', async () => {
    fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/operators': () => json({ operators: [] }),
      // Before the invite, nothing; after it, the record the BFF wrote.
      'GET /api/audit': [
        () => json({ records: [], cursor: null, hasMore: false }),
        () => json({ records: [INVITED], cursor: null, hasMore: false }),
      ],
      'POST /api/users': (request) => createdUser(request.body),
    });
    const { user } = renderApp('/activity');
    expect(
      await screen.findByText('Nothing recorded matches these filters.', {}, { timeout: 10_000 }),
    ).toBeVisible();

    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Invite' }));
    await user.type(await screen.findByRole('textbox', { name: 'First name' }, { timeout: 10_000 }), 'New');
    await user.type(screen.getByRole('textbox', { name: 'Last name' }), 'Person');
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'new.person@clinic.org');
    await user.click(screen.getByRole('combobox', { name: 'Clinic role' }));
    await user.keyboard('radio{Enter}');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByRole('heading', { name: /Invitation sent to/ })).toBeVisible();

    await user.click(within(nav).getByRole('link', { name: 'Activity' }));
    expect(await screen.findByText('new.person@clinic.org')).toBeVisible();
  });
});
