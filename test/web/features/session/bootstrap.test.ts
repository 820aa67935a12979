import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShellBootstrap } from '../../../../src/contract/session.ts';
import { currentSessionKey } from '../../../../src/web/features/session/api.ts';
import { sessionKeys } from '../../../../src/web/lib/query-keys.ts';
import { readShellBootstrap, startSessionQueries } from '../../../../src/web/features/session/bootstrap.ts';

const SIGNED_IN: ShellBootstrap = {
  session: {
    operator: {
      id: 'opr_0123456789abcdef0123456789abcdef',
      email: 'admin@clinic.example',
      displayName: 'Ada',
      role: 'administrator',
    },
    mustChangePassword: false,
    expiresAt: '2026-11-27T20:00:00.000Z',
    idleTimeoutMinutes: 30,
  },
  mode: { mode: 'live' },
};

function writeBlock(text: string) {
  const block = document.createElement('script');
  block.id = 'viewer-admin-bootstrap';
  block.type = 'application/json';
  block.textContent = text;
  document.body.append(block);
}

afterEach(() => {
  document.getElementById('viewer-admin-bootstrap')?.remove();
  vi.unstubAllGlobals();
});

describe('the bootstrap the server writes into the page', () => {
  it('reads who is signed in and the mode', () => {
    writeBlock(JSON.stringify(SIGNED_IN));
    expect(readShellBootstrap()).toEqual(SIGNED_IN);
  });

  it('reads "nobody", and nothing from an empty, missing, broken or foreign block', () => {
    writeBlock('{"session":null,"mode":null}');
    expect(readShellBootstrap()).toEqual({ session: null, mode: null });
    document.getElementById('viewer-admin-bootstrap')?.remove();
    expect(readShellBootstrap()).toBeUndefined();
    for (const text of ['', '   ', '{"session":', '{"session":{"operator":1},"mode":null}', '[]']) {
      writeBlock(text);
      expect(readShellBootstrap(), text).toBeUndefined();
      document.getElementById('viewer-admin-bootstrap')?.remove();
    }
  });

  it('fills the session and mode queries from it without asking the API', () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    const queryClient = new QueryClient();
    startSessionQueries(queryClient, SIGNED_IN);
    expect(queryClient.getQueryData(currentSessionKey())).toEqual(SIGNED_IN.session);
    expect(queryClient.getQueryData(sessionKeys.mode())).toEqual({ mode: 'live' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('asks GET /api/session when the page carries no bootstrap', async () => {
    const fetchSpy = vi.fn<typeof fetch>(
      async () =>
        new Response(JSON.stringify({ title: 'Please sign in', status: 401, code: 'unauthenticated' }), {
          status: 401,
          headers: { 'content-type': 'application/problem+json' },
        }),
    );
    vi.stubGlobal('fetch', fetchSpy);
    const queryClient = new QueryClient();
    startSessionQueries(queryClient, undefined);
    await vi.waitFor(() => expect(queryClient.getQueryData(currentSessionKey())).toBeNull());
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(String(fetchSpy.mock.calls[0]?.[0])).toContain('/api/session');
  });
});
