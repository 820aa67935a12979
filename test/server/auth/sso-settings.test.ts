import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSsoSettings, providerNameFor } from '../../../src/server/auth/sso-settings.ts';
import { roleFromClaims } from '../../../src/server/auth/sso.ts';
import { ConfigError, parseConfig } from '../../../src/server/config.ts';

const BASE = {
  OIDC_ISSUER: 'https://login.microsoftonline.com/0f0e0d0c-aaaa-bbbb-cccc-123456789abc/v2.0',
  OIDC_CLIENT_ID: 'b1c2d3e4-client',
  OIDC_CLIENT_SECRET: 'a-client-secret-value',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('single sign-on settings', () => {
  it('are absent, and change nothing, without OIDC_*', () => {
    expect(parseSsoSettings({}).settings).toBeUndefined();
    expect(problemsOf({})).toEqual([]);
  });

  it('read the documented defaults', () => {
    expect(parseSsoSettings(BASE)).toEqual({
      problems: [],
      settings: {
        issuer: BASE.OIDC_ISSUER,
        clientId: BASE.OIDC_CLIENT_ID,
        clientSecret: BASE.OIDC_CLIENT_SECRET,
        scopes: 'openid email profile',
        providerName: 'Microsoft',
        allowedDomains: [],
        allowedGroups: [],
        groupsClaim: 'groups',
        roleClaim: 'groups',
        roleMap: [],
        localSignIn: true,
        publicOrigin: undefined,
      },
    });
  });

  it('read lists, claims, the role map and LOCAL_SIGN_IN', () => {
    const { settings } = parseSsoSettings({
      ...BASE,
      OIDC_PROVIDER_NAME: 'Clinic Entra',
      OIDC_ALLOWED_DOMAINS: 'Clinic.org, @staff.clinic.org',
      OIDC_ALLOWED_GROUPS: 'g-1, g-2',
      OIDC_GROUPS_CLAIM: 'grp',
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ROLE_MAP: 'VA.Admin=administrator, VA.Invite=Inviter',
      LOCAL_SIGN_IN: 'off',
    });
    expect(settings).toMatchObject({
      providerName: 'Clinic Entra',
      allowedDomains: ['clinic.org', 'staff.clinic.org'],
      allowedGroups: ['g-1', 'g-2'],
      groupsClaim: 'grp',
      roleClaim: 'roles',
      roleMap: [
        ['VA.Admin', 'administrator'],
        ['VA.Invite', 'inviter'],
      ],
      localSignIn: false,
    });
  });

  it('refuse a plain-http issuer beyond this computer, and accept one on loopback', () => {
    expect(problemsOf({ ...BASE, OIDC_ISSUER: 'http://idp.clinic.org/realms/staff' }).join('\n')).toContain(
      'OIDC_ISSUER must be an https:// URL',
    );
    for (const issuer of ['http://127.0.0.1:8081', 'http://localhost:8081/realms/x', 'http://[::1]:9000']) {
      expect(problemsOf({ ...BASE, OIDC_ISSUER: issuer })).toEqual([]);
    }
    fc.assert(
      fc.property(fc.domain(), (host) => {
        fc.pre(host !== 'localhost' && !host.endsWith('.localhost'));
        expect(problemsOf({ ...BASE, OIDC_ISSUER: `http://${host}/` }).join('\n')).toContain(
          'OIDC_ISSUER must be an https:// URL',
        );
      }),
    );
  });

  it('name each problem clearly, never echoing the secret', () => {
    const problems = problemsOf({
      OIDC_ISSUER: 'not a url',
      OIDC_CLIENT_SECRET: 'super-secret-value',
      OIDC_SCOPES: 'email profile',
      OIDC_ALLOWED_DOMAINS: 'clinic.org, not a domain',
      OIDC_ROLE_MAP: 'admins=owner',
      LOCAL_SIGN_IN: 'maybe',
    });
    expect(problems.join('\n')).not.toContain('super-secret-value');
    for (const name of [
      'OIDC_ISSUER must be',
      'OIDC_CLIENT_ID must be set',
      'OIDC_SCOPES must include openid',
      'OIDC_ALLOWED_DOMAINS must be',
      'OIDC_ROLE_MAP must be',
      'LOCAL_SIGN_IN must be on or off',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
  });

  it('refuse LOCAL_SIGN_IN=off, or stray OIDC_* settings, without an issuer', () => {
    expect(problemsOf({ LOCAL_SIGN_IN: 'off' }).join('\n')).toContain(
      'LOCAL_SIGN_IN=off needs single sign-on',
    );
    expect(problemsOf({ OIDC_CLIENT_ID: 'x' }).join('\n')).toContain(
      'OIDC_CLIENT_ID is set but OIDC_ISSUER is not',
    );
    expect(problemsOf({ LOCAL_SIGN_IN: 'on' })).toEqual([]);
  });

  it('read the client secret from OIDC_CLIENT_SECRET_FILE, and say when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-sso-'));
    try {
      const file = join(dir, 'secret');
      writeFileSync(file, 'from-the-file\n');
      const rest = { OIDC_ISSUER: BASE.OIDC_ISSUER, OIDC_CLIENT_ID: BASE.OIDC_CLIENT_ID };
      expect(parseSsoSettings({ ...rest, OIDC_CLIENT_SECRET_FILE: file }).settings?.clientSecret).toBe(
        'from-the-file',
      );
      expect(problemsOf({ ...rest, OIDC_CLIENT_SECRET_FILE: join(dir, 'missing') }).join('\n')).toContain(
        'OIDC_CLIENT_SECRET_FILE: cannot read the file',
      );
      expect(problemsOf({ ...BASE, OIDC_CLIENT_SECRET_FILE: file }).join('\n')).toContain('not both');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('need PUBLIC_ORIGIN when the server is reached beyond this computer', () => {
    const problems = problemsOf({ ...BASE, HOST: '0.0.0.0', TLS_CERT_FILE: 'c', TLS_KEY_FILE: 'k' });
    expect(problems.join('\n')).toContain('PUBLIC_ORIGIN');
  });

  it('name the provider after its issuer', () => {
    expect(providerNameFor(new URL('https://clinic.okta.com/oauth2/default'))).toBe('Okta');
    expect(providerNameFor(new URL('https://sso.clinic.org/realms/staff'))).toBe('Keycloak');
    expect(providerNameFor(new URL('https://idp.clinic.org'))).toBe('idp.clinic.org');
  });

  it('give the highest mapped role, and Viewer when no group maps', () => {
    const { settings } = parseSsoSettings({ ...BASE, OIDC_ROLE_MAP: 'a=administrator,i=inviter,v=viewer' });
    if (!settings) throw new Error('no settings');
    expect(roleFromClaims(settings, { groups: ['i', 'a'] })).toBe('administrator');
    expect(roleFromClaims(settings, { groups: ['i', 'v'] })).toBe('inviter');
    expect(roleFromClaims(settings, { groups: 'i' })).toBe('inviter');
    expect(roleFromClaims(settings, { groups: ['other'] })).toBe('viewer');
    expect(roleFromClaims(settings, { groups: [{ a: 1 }, 42] })).toBe('viewer');
    expect(roleFromClaims(settings, {})).toBe('viewer');
  });
});
