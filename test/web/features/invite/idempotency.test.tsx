import { screen, waitFor } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createdUser, fakeApi, json, problem } from '../../fake-api.ts';
import { renderInvite } from '../../render-app.tsx';

const field = (name: string) => screen.getByRole('textbox', { name });
const role = () => screen.getByRole('combobox', { name: 'Clinic role' });
const submitButton = () => screen.getByRole('button', { name: /Send invitation|Sending invitation/ });
const mode = () => json({ mode: 'sandbox' });
const unavailable = () =>
  problem(502, { type: '/problems/upstream-unavailable', title: 'Avara is not answering.' });

async function fillRequired(user: UserEvent, email = 'dr.johnson@hospital.org') {
  await user.type(field('First name'), 'Sarah');
  await user.type(field('Last name'), 'Johnson');
  await user.type(field('Email'), email);
  await user.click(role());
  await user.keyboard('radio{Enter}');
}

describe('the invite form and idempotency keys', () => {
  it('after a reload, restores the unfinished invite and sends it again with the same key', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': [unavailable, (r) => createdUser(r.body)],
    });
    const first = await renderInvite();
    await fillRequired(first.user);
    await first.user.click(submitButton());
    await screen.findByRole('alert');
    first.unmount();

    // The page again, as after a reload: same tab, same sessionStorage.
    const second = await renderInvite();
    expect(screen.getByRole('status')).toHaveTextContent('Your unfinished invitation is back.');
    expect(field('First name')).toHaveValue('Sarah');
    expect(field('Email')).toHaveValue('dr.johnson@hospital.org');
    expect(role()).toHaveValue('Radiologist');
    await second.user.click(submitButton());
    expect(await screen.findByRole('heading', { name: /Invitation sent/ })).toBeVisible();

    const [sent, resent] = api.invites();
    expect(resent?.headers.get('idempotency-key')).toBe(sent?.headers.get('idempotency-key'));
    // Done: nothing is left to restore.
    expect(sessionStorage.length).toBe(0);
  });

  it('waits out "still in progress" (409) and shows the first request’s answer', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': [
        () =>
          problem(
            409,
            {
              type: '/problems/request-in-progress',
              title: 'This change is still being made',
              retryAfter: 1,
            },
            { 'retry-after': '0.05' },
          ),
        (r) => createdUser(r.body),
      ],
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    expect(await screen.findByRole('heading', { name: /Invitation sent/ })).toBeVisible();
    const [first, second] = api.invites();
    expect(api.invites()).toHaveLength(2);
    expect(second?.headers.get('idempotency-key')).toBe(first?.headers.get('idempotency-key'));
  });

  it('uses a new key once the details change', async () => {
    const api = fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': [unavailable, (r) => createdUser(r.body)],
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    await screen.findByRole('alert');
    await user.clear(field('Email'));
    await user.type(field('Email'), 'sarah.johnson@hospital.org');
    await user.click(submitButton());
    expect(await screen.findByRole('heading', { name: /Invitation sent/ })).toBeVisible();
    const [first, second] = api.invites();
    expect(second?.headers.get('idempotency-key')).not.toBe(first?.headers.get('idempotency-key'));
  });

  it('names the userId of the person who already has the email', async () => {
    fakeApi({
      'GET /api/mode': mode,
      'POST /api/users': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'This person has already been invited',
          errors: [{ path: 'email', message: 'Someone with this email address has already been invited.' }],
          existingUserId: 'usr_0123456789abcdef0123456789abcdef',
        }),
    });
    const { user } = await renderInvite();
    await fillRequired(user);
    await user.click(submitButton());
    await waitFor(() =>
      expect(field('Email')).toHaveAccessibleDescription(
        'Someone with this email address has already been invited. Their userId is usr_0123456789abcdef0123456789abcdef.',
      ),
    );
  });
});
