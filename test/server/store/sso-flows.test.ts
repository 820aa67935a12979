import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

/** Pending single sign-ons and logout tickets: found by their id, taken once, never past their expiry. */

const AT = Date.UTC(2026, 2, 2, 8);
const flow = {
  state: 'state-1',
  nonce: 'nonce-1',
  verifier: 'verifier-1',
  redirectUri: 'https://viewer-admin.clinic.test/auth/sso/callback',
  expiresAt: AT + 600_000,
};

describe.each(STORE_BACKENDS)('the single sign-on flows of the $name store', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives a flow back once, to whoever asks first', async () => {
    await store.ssoFlows.saveFlow('flow-id-a', flow, AT);
    expect(await store.ssoFlows.takeFlow('flow-id-b', AT)).toBeUndefined();
    const takes = await Promise.all(
      Array.from({ length: 8 }, () => store.ssoFlows.takeFlow('flow-id-a', AT)),
    );
    expect(takes.filter((taken) => taken !== undefined)).toEqual([flow]);
    expect(await store.ssoFlows.takeFlow('flow-id-a', AT)).toBeUndefined();
  });

  it('never gives back a flow past its expiry, and forgets expired ones when the next is saved', async () => {
    await store.ssoFlows.saveFlow('late', flow, AT);
    expect(await store.ssoFlows.takeFlow('late', flow.expiresAt)).toBeUndefined();
    await store.ssoFlows.saveFlow('old', flow, AT);
    await store.ssoFlows.saveFlow('new', { ...flow, expiresAt: AT + 2_000_000 }, flow.expiresAt);
    expect(await store.ssoFlows.takeFlow('old', AT)).toBeUndefined();
    expect(await store.ssoFlows.takeFlow('new', flow.expiresAt)).toMatchObject({ state: 'state-1' });
  });

  it('gives a logout ticket back once, with or without an ID token, and not past its expiry', async () => {
    await store.ssoFlows.saveLogoutTicket(
      'ticket-1',
      { idToken: 'header.payload.sig', expiresAt: AT + 1000 },
      AT,
    );
    await store.ssoFlows.saveLogoutTicket('ticket-2', { idToken: undefined, expiresAt: AT + 1000 }, AT);
    await store.ssoFlows.saveLogoutTicket('ticket-3', { idToken: 'x.y.z', expiresAt: AT + 1000 }, AT);
    expect(await store.ssoFlows.takeLogoutTicket('ticket-1', AT)).toEqual({
      idToken: 'header.payload.sig',
      expiresAt: AT + 1000,
    });
    expect(await store.ssoFlows.takeLogoutTicket('ticket-1', AT)).toBeUndefined();
    expect(await store.ssoFlows.takeLogoutTicket('ticket-2', AT)).toEqual({
      idToken: undefined,
      expiresAt: AT + 1000,
    });
    expect(await store.ssoFlows.takeLogoutTicket('ticket-3', AT + 1000)).toBeUndefined();
  });
});
