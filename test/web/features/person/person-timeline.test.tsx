import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../../src/contract/directory.ts';
import { AppProviders } from '../../../../src/web/app/providers.tsx';
import { PersonTimeline } from '../../../../src/web/features/person/person-timeline.tsx';
import { createQueryClient } from '../../../../src/web/lib/query-client.ts';
import { MemoryRouter } from '../../../../src/web/lib/routing.tsx';
import { testEmotionCache } from '../../emotion.ts';
import { fakeApi, json, problem } from '../../fake-api.ts';

const USER = 'usr_1234567890abcdef1234567890abcdef';
const DANA = { operatorId: 'opr_1', name: 'Dana Smith' };

function audit(overrides: Partial<TimelineEvent>): TimelineEvent {
  return {
    at: '2026-03-02T10:00:00.000Z',
    source: 'dashboard',
    kind: 'audit',
    action: 'user.invite',
    label: 'Invited by Dana Smith',
    operator: DANA,
    outcome: 'Done',
    changes: [],
    detail: null,
    requestId: 'req-1',
    ...overrides,
  };
}

const EVENTS: TimelineEvent[] = [
  {
    at: '2026-03-05T08:00:00.000Z',
    source: 'avara',
    kind: 'last-sign-in',
    action: null,
    label: 'Last signed in to Avara',
    operator: null,
    outcome: null,
    changes: [],
    detail: null,
    requestId: null,
  },
  audit({
    at: '2026-03-04T09:00:00.000Z',
    action: 'user.invite',
    label: 'Invite tried by Dana Smith',
    outcome: 'Not sent: this person was already invited',
    detail: 'HTTP 409 · This person has already been invited (http)',
    requestId: 'req-failed',
  }),
  audit({
    at: '2026-03-03T09:00:00.000Z',
    action: 'user.update',
    label: 'Details edited by Dana Smith',
    changes: [
      { field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' },
      { field: 'middleName', from: 'Marie', to: null },
    ],
    requestId: 'req-edit',
  }),
  audit({}),
];

function renderTimeline() {
  const user = userEvent.setup();
  render(
    <AppProviders queryClient={createQueryClient()} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={['/users']}>
        <PersonTimeline userId={USER} />
      </MemoryRouter>
    </AppProviders>,
  );
  return { user };
}

describe('PersonTimeline', () => {
  it('lists each event newest first: when, who and what, with what an edit changed', async () => {
    fakeApi({ [`GET /api/users/${USER}/timeline`]: () => json({ events: EVENTS }) });
    renderTimeline();
    const list = await screen.findByRole('list', { name: 'History' }, { timeout: 5000 });
    const items = within(list)
      .getAllByRole('listitem', { name: undefined })
      .filter((li) => li.parentElement === list);
    expect(items.map((li) => within(li).getByText(/by Dana Smith|to Avara/).textContent)).toEqual([
      'Last signed in to Avara',
      'Invite tried by Dana Smith',
      'Details edited by Dana Smith',
      'Invited by Dana Smith',
    ]);
    expect(items[0]?.textContent).toContain('From Avara');
    expect(items[3]?.textContent).toContain('In this dashboard');
    expect(items[0]?.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-05T08:00:00.000Z');
    const changed = within(items[2] as HTMLElement).getByRole('list', { name: 'What changed' });
    expect(
      within(changed)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Role: Radiologist → Cardiologist', 'Middle name: Marie → (empty)']);
  });

  it('writes a failed attempt for an administrator, with the technical detail one click away', async () => {
    fakeApi({ [`GET /api/users/${USER}/timeline`]: () => json({ events: EVENTS }) });
    const { user } = renderTimeline();
    const list = await screen.findByRole('list', { name: 'History' }, { timeout: 5000 });
    const failed = within(list).getByText('Invite tried by Dana Smith').closest('li') as HTMLElement;
    expect(within(failed).getByText('Not sent: this person was already invited')).toBeVisible();
    expect(within(failed).queryByText(/HTTP 409/)).not.toBeVisible();
    const disclosure = within(failed).getByRole('button', { name: 'Technical detail' });
    expect(disclosure).toHaveAttribute('aria-expanded', 'false');
    await user.click(disclosure);
    expect(within(failed).getByRole('button', { name: 'Hide technical detail' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    expect(within(failed).getByText('HTTP 409 · This person has already been invited (http)')).toBeVisible();
    expect(within(failed).getByText('req-failed')).toBeVisible();
    // Done events need no technical view.
    const done = within(list).getByText('Invited by Dana Smith').closest('li') as HTMLElement;
    expect(within(done).queryByRole('button')).toBeNull();
  });

  it('links to all activity for this person', async () => {
    fakeApi({ [`GET /api/users/${USER}/timeline`]: () => json({ events: [] }) });
    renderTimeline();
    expect(
      await screen.findByText('Nothing recorded about this person yet.', {}, { timeout: 5000 }),
    ).toBeVisible();
    expect(screen.getByRole('link', { name: 'All activity for this person' })).toHaveAttribute(
      'href',
      `/activity?userId=${USER}`,
    );
  });

  it('says when the history could not be loaded, with the request id and a retry', async () => {
    fakeApi({
      [`GET /api/users/${USER}/timeline`]: [
        () =>
          problem(404, {
            type: '/problems/not-found',
            title: 'This user no longer exists',
            requestId: 'req-x',
          }),
        () => json({ events: EVENTS }),
      ],
    });
    const { user } = renderTimeline();
    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert).toHaveTextContent('The history could not be loaded');
    expect(alert).toHaveTextContent('req-x');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('list', { name: 'History' }, { timeout: 5000 })).toBeVisible();
  });
});
