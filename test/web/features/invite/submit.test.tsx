import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { InviteUserInputSchema } from '../../../../src/contract/users.ts';
import { SARAH, createdUser, fakeApi, json, problem } from '../../fake-api.ts';
import { renderInvite } from '../../render-app.tsx';

const field = (name: string) => screen.getByRole('textbox', { name });
const role = () => screen.getByRole('combobox', { name: 'Clinic role' });
const submitButton = () => screen.getByRole('button', { name: /Send invitation|Sending invitation/ });
const mode = () => json({ mode: 'sandbox' });

async function fillEverything(user: UserEvent) {
  await user.type(field('First name'), 'Sarah');
  await user.type(field('Middle name (optional)'), 'Marie');
  await user.type(field('Last name'), 'Johnson');
  await user.type(field('Suffix 1 (optional)'), 'MD');
  await user.type(field('Suffix 2 (optional)'), 'FACR');
  await user.type(field('Email'), 'Dr.Johnson@Hospital.org');
  await user.type(field('Phone (optional)'), '(555) 123-4567');
  await user.click(role());
  await user.keyboard('radio{Enter}');
  await user.click(screen.getByRole('switch', { name: 'May manage studies' }));
}

async function fillRequired(user: UserEvent) {
  await user.type(field('First name'), 'Sarah');
  await user.type(field('Last name'), 'Johnson');
  await user.type(field('Email'), 'dr.johnson@hospital.org');
  await user.click(role());
  await user.keyboard('radio{Enter}');
}

function expectEverythingKept() {
  expect(field('First name')).toHaveValue('Sarah');
  expect(field('Middle name (optional)')).toHaveValue('Marie');
  expect(field('Last name')).toHaveValue('Johnson');
  expect(field('Suffix 1 (optional)')).toHaveValue('MD');
  expect(field('Suffix 2 (optional)')).toHaveValue('FACR');
  expect(field('Email')).toHaveValue('Dr.Johnson@Hospital.org');
  expect(field('Phone (optional)')).toHaveValue('(555) 123-4567');
  expect(role()).toHaveValue('Radiologist');
  expect(screen.getByRole('switch', { name: 'May manage studies' })).toBeChecked();
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('submitting an invite', () => {
  it('sends the contract body as JSON with X-CSRF, then shows the new person', async () => {
    const api = fakeApi({ 'GET /api/mode': mode, 'POST /api/users': (r) => createdUser(r.body) });
    const { user } = await renderInvite();
    await fillEverything(user);
    await user.click(submitButton());

    expect(
      await screen.findByRole('heading', { name: 'Invitation sent to Sarah M. Johnson, MD, FACR' }),
    ).toBeVisible();
    const [sent] = api.invites();
    expect(api.invites()).toHaveLength(1);
    expect(sent?.headers.get('x-csrf')).toBe('1');
    expect(sent?.headers.get('content-type')).toBe('application/json');
    expect(sent?.headers.get('accept')).toBe('application/json');
    expect(sent?.body).toEqual({
      firstName: 'Sarah',
      middleName: 'Marie',
      lastName: 'Johnson',
      suffix1: 'MD',
      suffix2: 'FACR',
      email: 'dr.johnson@hospital.org',
      phoneNumber: '5551234567',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: false,
      canManageStudies: true,
    });
    expect(InviteUserInputSchema.safeParse(sent?.body).success).toBe(true);
  });

  it('leaves blank optional fields out of the request', async () => {
    const api = fakeApi({ 'GET /api/mode': mode, 'POST /api/users': (r) => createdUser(r.body) });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    await screen.findByRole('heading', { name: /Invitation sent/ });
    expect(api.invites()[0]?.body).toEqual({
      firstName: 'Sarah',
      lastName: 'Johnson',
      email: 'dr.johnson@hospital.org',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: false,
      canManageStudies: false,
    });
  });

  it('shows progress and never sends twice (double-click, then Enter)', async () => {
    const answer = deferred<Response>();
    const api = fakeApi({ 'GET /api/mode': mode, 'POST /api/users': () => answer.promise });
    const { user } = await renderInvite();
    await fillRequired(user);

    await user.dblClick(submitButton());
    await waitFor(() => expect(submitButton()).toBeDisabled());
    expect(submitButton()).toHaveTextContent('Sending invitation…');
    field('Email').focus();
    await user.keyboard('{Enter}');
    await user.keyboard('{Enter}');
    expect(api.invites()).toHaveLength(1);

    answer.resolve(createdUser(api.invites()[0]?.body));
    expect(await screen.findByRole('heading', { name: /Invitation sent/ })).toBeVisible();
    expect(api.invites()).toHaveLength(1);
  });

  it('puts server field errors on their fields and focuses the first one', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(400, {
          type: '/problems/validation',
          title: 'Some fields need attention.',
          errors: [
            { path: 'email', message: 'Avara does not accept this address.' },
            { path: 'lastName', message: 'Avara wants a shorter last name.' },
          ],
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());

    await waitFor(() => expect(field('Last name')).toHaveFocus());
    expect(field('Last name')).toHaveAccessibleDescription('Avara wants a shorter last name.');
    expect(field('Last name')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Email')).toHaveAccessibleDescription('Avara does not accept this address.');
    expect(submitButton()).toBeEnabled();
  });

  it('puts the server’s admin-rule error on the dashboard switch', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(400, {
          type: '/problems/validation',
          title: 'Some fields need attention.',
          errors: [
            {
              path: 'hasDashboardAccess',
              message: 'Admins need dashboard access. Turn dashboard access on, or choose Member.',
            },
          ],
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    const dashboard = screen.getByRole('switch', { name: 'Dashboard access' });
    await waitFor(() => expect(dashboard).toHaveFocus());
    expect(dashboard).toHaveAccessibleDescription(
      'Admins need dashboard access. Turn dashboard access on, or choose Member.',
    );
  });

  it('says so on the email field when the address is already in the clinic', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'GET /api/users': () => json({ users: [], cursor: null, hasMore: false }),
      'POST /api/users': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'That email address is already in use.',
          errors: [{ path: 'email', message: 'Someone with this email address is already in the clinic.' }],
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());

    await waitFor(() => expect(field('Email')).toHaveFocus());
    expect(field('Email')).toHaveAccessibleDescription(
      'Someone with this email address is already in the clinic.',
    );
    expect(field('Email')).toHaveValue('dr.johnson@hospital.org');
    expect(field('First name')).toHaveValue('Sarah');
  });

  it('links an "already invited" refusal to that person in Users, with their userId to copy and the request id', async () => {
    const existing = 'usr_00000000000000000000000000000abc';
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'This person has already been invited',
          errors: [{ path: 'email', message: 'A user with this email already exists.' }],
          existingUserId: existing,
          requestId: 'req-dup-1',
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());

    const notice = await screen.findByRole('region', { name: 'Already in the clinic' });
    expect(notice).toHaveTextContent('dr.johnson@hospital.org is already in the clinic.');
    expect(within(notice).getByRole('link', { name: 'See them in Users' })).toHaveAttribute(
      'href',
      `/users/${existing}`,
    );
    expect(notice).toHaveTextContent('Request id to quote if you ask for help: req-dup-1');
    await user.click(within(notice).getByRole('button', { name: 'Copy userId' }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(existing));
    expect(within(notice).getByRole('status')).toHaveTextContent('Copied to the clipboard.');
    expect(field('Email')).toHaveValue('dr.johnson@hospital.org');
  });

  it('looks the existing person up by email when the refusal does not name them', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'This person has already been invited',
          errors: [{ path: 'email', message: 'A user with this email already exists.' }],
        }),
      'GET /api/users': () => json({ users: [SARAH], cursor: null, hasMore: false }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());

    const notice = await screen.findByRole('region', { name: 'Already in the clinic' });
    expect(await within(notice).findByRole('link', { name: 'See them in Users' })).toHaveAttribute(
      'href',
      `/users/${SARAH.userId}`,
    );
    expect(notice).toHaveTextContent(SARAH.userId);
    expect(
      api.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/users?')).map((r) => r.path),
    ).toEqual(['/api/users?email=dr.johnson%40hospital.org&limit=5']);
  });

  it('says it is still waiting on Avara when a send takes more than 2 seconds, and only then', async () => {
    let answer: (response: Response) => void = () => undefined;
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    const sentAt = Date.now();
    await user.click(submitButton());
    expect(submitButton()).toHaveTextContent('Sending invitation…');
    expect(screen.queryByText('Still waiting on Avara…')).toBeNull();
    const waiting = await screen.findByText('Still waiting on Avara…', {}, { timeout: 4000 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2000);
    expect(waiting.closest('[role="status"]')).toHaveTextContent('will not be sent twice');
    answer(createdUser({ ...SARAH, email: 'dr.johnson@hospital.org' }));
    await screen.findByRole('heading', { name: /^Invitation sent to/ });
    expect(screen.queryByText('Still waiting on Avara…')).toBeNull();
  });

  it('shows the request id to quote in the failure banner', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(502, {
          type: '/problems/upstream-unavailable',
          title: 'Avara is not answering.',
          requestId: 'req-502-7',
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Avara is not answering right now.');
    expect(banner).toHaveTextContent('Request id to quote if you ask for help: req-502-7');
  });

  it('on an upstream failure shows a banner with Retry, keeps everything, and Retry sends the same invite', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': [
        () =>
          problem(502, {
            type: '/problems/upstream-unavailable',
            title: 'Avara is not answering.',
          }),
        (r) => createdUser(r.body),
      ],
    });
    const { user } = await renderInvite();
    await fillEverything(user);
    await user.click(submitButton());

    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Avara is not answering right now.');
    expect(banner).toHaveTextContent('Your entries are kept');
    expectEverythingKept();
    const retry = screen.getByRole('button', { name: 'Retry' });
    await waitFor(() => expect(retry).toHaveFocus());

    await user.click(retry);
    expect(await screen.findByRole('heading', { name: /Invitation sent/ })).toBeVisible();
    const [first, second] = api.invites();
    expect(api.invites()).toHaveLength(2);
    expect(second?.body).toEqual(first?.body);
    // The same submission: the same Idempotency-Key, so the BFF can never invite her twice.
    expect(first?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers.get('idempotency-key')).toBe(first?.headers.get('idempotency-key'));
  });

  it('offers Retry on a timeout and when the dashboard server cannot be reached', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': [
        () => problem(504, { type: '/problems/upstream-timeout', title: 'Avara took too long.' }),
        () => Promise.reject(new TypeError('Failed to fetch')),
      ],
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'We could not confirm whether the invitation was sent.',
    );
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent('The dashboard server could not be reached.'),
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeVisible();
    expect(field('First name')).toHaveValue('Sarah');
  });

  it('says when to try again after a 429', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(
          429,
          { type: '/problems/rate-limited', title: 'Too many requests.', retryAfter: 30 },
          { 'retry-after': '30' },
        ),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Too many requests in a short time.');
    expect(banner).toHaveTextContent('Try again in 30 seconds');
    expect(field('Email')).toHaveValue('dr.johnson@hospital.org');
  });

  it('explains a rejected API key without offering a pointless retry', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(502, { type: '/problems/upstream-key-rejected', title: 'Avara rejected the key.' }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('Avara refused the dashboard’s API key.');
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('treats an answer that is not problem details as a generic failure, keeping the entries', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () => new Response('<html>Bad gateway</html>', { status: 502 }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('Avara is not answering right now.');
    expect(field('Last name')).toHaveValue('Johnson');
  });
});
