import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { UserEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateBulkInviteInputSchema, InviteCheckInputSchema } from '../../../../src/contract/bulk.ts';
import type { SentRequest } from '../../fake-api.ts';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { AppProviders } from '../../../../src/web/app/providers.tsx';
import { InviteManyPage } from '../../../../src/web/features/bulk-invite/invite-many-page.tsx';
import { createQueryClient } from '../../../../src/web/lib/query-client.ts';
import { MemoryRouter, Routes, useParams } from '../../../../src/web/lib/routing.tsx';
import { testEmotionCache } from '../../emotion.ts';
import { renderApp } from '../../render-app.tsx';

const BATCH_ID = `bat_${'a'.repeat(32)}`;
const EXISTING_ID = `usr_${'e'.repeat(32)}`;
const mode = () => json({ mode: 'sandbox' });

/** The BFF's e-mail check: `taken` are existing users. */
function check(taken: readonly string[] = []) {
  return (request: SentRequest) => {
    const { emails } = InviteCheckInputSchema.parse(request.body);
    return json({
      results: emails.map((email) => ({
        email,
        existing: taken.includes(email)
          ? { userId: EXISTING_ID, name: 'Bo Lee', lastLoginAt: null, invitation: null }
          : null,
      })),
    });
  };
}

const TSV = [
  ['First name', 'Last name', 'E-mail', 'Role', 'Admin?'],
  ['Ana', 'Ruiz', 'ana@clinic.org', 'Registered Nurse', 'no'],
  ['Bo', 'Lee', 'bo@clinic.org', 'Doctor', ''],
  ['Cy', '', 'cy@clinic.org', 'Doctor', ''],
  ['Di', 'Ng', 'ana@clinic.org', 'Doctor', ''],
  ['Ed', 'Ox', 'ed@clinic.org', 'radiology tech', ''],
]
  .map((row) => row.join('\t'))
  .join('\n');

/** The screen alone, with the batch's address answered by a probe showing the batch id it was given. */
function renderWithBatchProbe(path: string) {
  const user = userEvent.setup();
  function Probe() {
    return <p data-testid="batch-probe">{useParams().batchId}</p>;
  }
  render(
    <AppProviders queryClient={createQueryClient()} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={[path]}>
        <Routes
          routes={[
            { path: '/invite-many', element: <InviteManyPage /> },
            { path: '/invite-many/:batchId', element: <Probe /> },
          ]}
        />
      </MemoryRouter>
    </AppProviders>,
  );
  return { user };
}

async function openAndPaste(text = TSV, renderAt: (path: string) => { user: UserEvent } = renderApp) {
  const app = renderAt('/invite-many');
  const box = await screen.findByRole('textbox', { name: /Cells copied from Excel/ }, { timeout: 10_000 });
  fireEvent.change(box, { target: { value: text } });
  await app.user.click(screen.getByRole('button', { name: 'Check the pasted cells' }));
  return app;
}

const summary = () => screen.getByTestId('bulk-summary');
const sendButton = () => screen.getByRole('button', { name: /^Send \d+ invitation/ });
const rowOf = (line: number) =>
  screen.getByRole('button', { name: `Edit line ${line}` }).closest('tr') as HTMLElement;

// jsdom lays nothing out: the review's scrolling box is given a screen's height so the virtualised table shows rows.
const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight');
beforeEach(() => {
  Object.defineProperty(Element.prototype, 'clientHeight', {
    configurable: true,
    get(this: Element) {
      return this.getAttribute('aria-label') === 'Rows of the sheet' ? 640 : 0;
    },
  });
});
afterEach(() => {
  if (clientHeight) Object.defineProperty(Element.prototype, 'clientHeight', clientHeight);
});

describe('invite many', () => {
  it('shows how the columns were matched, and lets the admin change it', async () => {
    fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check() });
    const { user } = await openAndPaste();
    expect(screen.getByRole('combobox', { name: '“First name” is' })).toHaveValue('firstName');
    expect(screen.getByRole('combobox', { name: '“E-mail” is' })).toHaveValue('email');
    expect(screen.getByRole('combobox', { name: '“Admin?” is' })).toHaveValue('level');
    await user.selectOptions(screen.getByRole('combobox', { name: '“E-mail” is' }), '');
    expect(screen.getByText(/No column holds the email/)).toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: '“Last name” is' }), 'email');
    expect(screen.getByRole('combobox', { name: '“Last name” is' })).toHaveValue('email');
  });

  it('reviews every row: ready, needs a fix, skipped as a duplicate or an existing user with their userId', async () => {
    const api = fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check(['bo@clinic.org']) });
    await openAndPaste();
    await waitFor(() => expect(summary()).toHaveTextContent('1 ready · 2 need a fix · 2 will be skipped'));
    expect(within(rowOf(2)).getByText('Ready')).toBeInTheDocument();
    expect(within(rowOf(3)).getByText('Already a user: Bo Lee.')).toBeInTheDocument();
    expect(within(rowOf(3)).getByText(EXISTING_ID)).toBeInTheDocument();
    expect(within(rowOf(3)).getByRole('button', { name: 'Copy userId of Bo Lee' })).toBeInTheDocument();
    expect(within(rowOf(4)).getByText('Last name: Enter a last name.')).toBeInTheDocument();
    expect(within(rowOf(5)).getByText(/same e-mail address is on line 2/)).toBeInTheDocument();
    expect(within(rowOf(6)).getByText(/Did you mean Imaging Technologist\?/)).toBeInTheDocument();
    // The addresses that check out, once each, in one chunk.
    const checks = api.requests.filter((r) => r.path === '/api/invites/check');
    expect(checks.map((r) => r.body)).toEqual([{ emails: ['ana@clinic.org', 'bo@clinic.org'] }]);
  });

  it('confirms a suggested role once for every row that says it', async () => {
    fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check() });
    const { user } = await openAndPaste();
    const question = await screen.findByRole('combobox', { name: 'Did you mean (for “radiology tech”)' });
    expect(question).toHaveValue('Imaging Technologist');
    await user.click(screen.getByRole('button', { name: 'Use for 1 row' }));
    await waitFor(() => expect(within(rowOf(6)).getByText('Ready')).toBeInTheDocument());
    expect(screen.getByText('“radiology tech” is Imaging Technologist')).toBeInTheDocument();
  });

  it('edits a row in place and checks it again', async () => {
    fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check() });
    const { user } = await openAndPaste();
    await waitFor(() => expect(summary()).toHaveTextContent('2 ready'));
    await user.click(screen.getByRole('button', { name: 'Edit line 4' }));
    const editor = screen.getByRole('form', { name: 'Edit line 4' });
    const lastName = within(editor).getByRole('textbox', { name: 'Last name' });
    expect(lastName).toHaveFocus();
    await user.type(lastName, 'Young');
    await user.click(within(editor).getByRole('button', { name: 'Save and check line 4' }));
    await waitFor(() => expect(within(rowOf(4)).getByText('Ready')).toBeInTheDocument());
    expect(summary()).toHaveTextContent('3 ready · 1 needs a fix · 1 will be skipped');
  });

  it('filters to the rows that need a fix, and removes rows', async () => {
    fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check() });
    const { user } = await openAndPaste();
    await waitFor(() => expect(summary()).toHaveTextContent('2 ready'));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'fix');
    expect(
      screen.getAllByRole('button', { name: /^Edit line/ }).map((b) => b.getAttribute('aria-label')),
    ).toEqual(['Edit line 4', 'Edit line 6']);
    await user.click(screen.getByRole('button', { name: 'Remove line 4' }));
    expect(screen.getAllByRole('button', { name: /^Edit line/ })).toHaveLength(1);
    expect(summary()).toHaveTextContent('2 ready · 1 needs a fix · 1 will be skipped');
  });

  it('sends only when nothing needs a fix, or the ready rows only when chosen, then goes to the batch', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/invites/check': check(['bo@clinic.org']),
      'POST /api/bulk-invites': () => json({ batchId: BATCH_ID }, 201),
    });
    const { user } = await openAndPaste(TSV, renderWithBatchProbe);
    await waitFor(() => expect(summary()).toHaveTextContent('1 ready'));
    expect(sendButton()).toBeDisabled();
    expect(
      screen.getByText(/2 rows need a fix: fix them, remove them, or choose to send the ready rows only\./),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: /Send the ready rows only/ }));
    expect(sendButton()).toBeEnabled();
    await user.click(sendButton());
    expect(await screen.findByTestId('batch-probe')).toHaveTextContent(BATCH_ID);
    const [sent] = api.requests.filter((r) => r.path === '/api/bulk-invites');
    expect(sent?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    const body = CreateBulkInviteInputSchema.parse(sent?.body);
    expect(body.columns).toEqual(['First name', 'Last name', 'E-mail', 'Role', 'Admin?']);
    expect(body.rows.map((row) => [row.line, row.invite?.email ?? row.skip?.reason])).toEqual([
      [2, 'ana@clinic.org'],
      [3, 'existing-user'],
      [4, 'needs-fix'],
      [5, 'duplicate'],
      [6, 'needs-fix'],
    ]);
    expect(body.rows[1]?.skip?.userId).toBe(EXISTING_ID);
    expect(body.rows[0]?.cells).toEqual(['Ana', 'Ruiz', 'ana@clinic.org', 'Registered Nurse', 'no']);
  });

  it('waits out a 429 on the e-mail check, then carries on', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/invites/check': [
        () => problem(429, { type: '/problems/rate-limited', title: 'Too many requests.', retryAfter: 0.05 }),
        check(),
      ],
    });
    await openAndPaste();
    await waitFor(() => expect(summary()).toHaveTextContent('2 ready · 2 need a fix · 1 will be skipped'));
  });

  it('reads a chosen .csv file (semicolons, a byte-order mark) and refuses one in another encoding', async () => {
    fakeApi({ 'GET /api/mode': mode, 'POST /api/invites/check': check() });
    const { user } = renderApp('/invite-many');
    const input = await screen.findByTestId('bulk-file-input', {}, { timeout: 10_000 });
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode('Email;First name\nzo'),
      0xeb,
      0x40,
      0x62,
      0x2e,
      0x6f,
    ]);
    await user.upload(input, new File([latin1], 'team.csv', { type: 'text/csv' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing was read from team.csv.The file is not UTF-8 text (line 2 has a character in another encoding).',
    );
    const text = '\uFEFFFirst name;Last name;Email;Role\r\nAna;"Ruiz; Jr.";ana@clinic.org;Doctor\r\n';
    await user.upload(input, new File([text], 'team.csv', { type: 'text/csv' }));
    expect(await screen.findByText('Read 1 row from team.csv.')).toHaveFocus();
    await waitFor(() => expect(summary()).toHaveTextContent('1 ready · 0 need a fix · 0 will be skipped'));
    expect(within(rowOf(2)).getByText('Ana Ruiz; Jr.')).toBeInTheDocument();
  });

  it('is in the navigation beside Invite, and the single invite links to it', async () => {
    fakeApi({ 'GET /api/mode': mode });
    const { user } = renderApp('/');
    await user.click(
      await screen.findByRole('link', { name: 'Invite many from a spreadsheet' }, { timeout: 10_000 }),
    );
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Invite many' }, { timeout: 10_000 }),
    ).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(
      within(nav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(['Invite', 'Invite many', 'Users', 'Invitations', 'Operators', 'Activity']);
    expect(within(nav).getByRole('link', { name: 'Invite many' })).toHaveAttribute('aria-current', 'page');
  });

  it('says what is wrong with pasted cells that have no header', async () => {
    fakeApi({ 'GET /api/mode': mode });
    await openAndPaste('ana@clinic.org\tAna\tRuiz');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing was read from the pasted cells.Line 1 looks like a person, not column names.',
    );
  });
});
