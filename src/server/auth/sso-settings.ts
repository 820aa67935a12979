import { readFileSync } from 'node:fs';
import { OPERATOR_ROLES, type OperatorRole } from '../../contract/session.ts';

/**
 * Single sign-on (OpenID Connect) as configured by the OIDC_* variables and LOCAL_SIGN_IN. Absent (undefined) when
 * OIDC_ISSUER is not set: then nothing about signing in changes.
 */
export interface SsoSettings {
  /** The issuer as configured (discovery reads `${issuer}/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only), for providers that allow it. */
  clientSecret?: string | undefined;
  scopes: string;
  /** Shown on the button: "Sign in with <providerName>". */
  providerName: string;
  /** Lower-cased e-mail domains; empty: any. */
  allowedDomains: readonly string[];
  /** Values of the groups claim; empty: any. */
  allowedGroups: readonly string[];
  groupsClaim: string;
  roleClaim: string;
  /** Claim value → role; the highest matching role wins, Viewer when none matches. */
  roleMap: readonly (readonly [string, OperatorRole])[];
  /** False (LOCAL_SIGN_IN=off): passwords are refused, only single sign-on signs in. */
  localSignIn: boolean;
  /** PUBLIC_ORIGIN: the callback is `${origin}/auth/sso/callback`; absent: the (loopback) origin of the request. */
  publicOrigin?: string | undefined;
}

export const SSO_CALLBACK_PATH = '/auth/sso/callback';

/** The variables read here (config.ts keeps them in its schema so blank values count as absent). */
export interface SsoEnv {
  OIDC_ISSUER?: string | undefined;
  OIDC_CLIENT_ID?: string | undefined;
  OIDC_CLIENT_SECRET?: string | undefined;
  OIDC_CLIENT_SECRET_FILE?: string | undefined;
  OIDC_SCOPES?: string | undefined;
  OIDC_PROVIDER_NAME?: string | undefined;
  OIDC_ALLOWED_DOMAINS?: string | undefined;
  OIDC_ALLOWED_GROUPS?: string | undefined;
  OIDC_GROUPS_CLAIM?: string | undefined;
  OIDC_ROLE_CLAIM?: string | undefined;
  OIDC_ROLE_MAP?: string | undefined;
  LOCAL_SIGN_IN?: string | undefined;
  PUBLIC_ORIGIN?: string | undefined;
  HOST?: string | undefined;
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** localhost, 127.0.0.0/8 and ::1 (the only hosts an http:// issuer may have: a provider on this computer). */
export function isLoopbackHostname(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** A name for the button when OIDC_PROVIDER_NAME is not set, from the issuer's host. */
export function providerNameFor(issuer: URL): string {
  const host = issuer.hostname.toLowerCase();
  if (host === 'login.microsoftonline.com' || host.endsWith('.microsoftonline.com')) return 'Microsoft';
  if (host.endsWith('.okta.com') || host.endsWith('.oktapreview.com')) return 'Okta';
  if (host === 'accounts.google.com') return 'Google';
  if (/\/realms\/[^/]+\/?$/.test(issuer.pathname)) return 'Keycloak';
  return host;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The settings, or undefined when single sign-on is not configured, and every problem found (each naming its
 * variable, never echoing a secret). `readFile` reads OIDC_CLIENT_SECRET_FILE (tests pass their own).
 */
export function parseSsoSettings(
  env: SsoEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { settings: SsoSettings | undefined; problems: string[] } {
  const problems: string[] = [];
  const local = env.LOCAL_SIGN_IN?.toLowerCase();
  if (local !== undefined && local !== 'on' && local !== 'off') {
    problems.push('LOCAL_SIGN_IN must be on or off.');
  }
  if (env.OIDC_ISSUER === undefined) {
    const stray = Object.entries(env).filter(
      ([name, value]) => name.startsWith('OIDC_') && value !== undefined,
    );
    if (stray.length > 0) {
      problems.push(
        `${stray.map(([name]) => name).join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but OIDC_ISSUER is not: set OIDC_ISSUER (your identity provider's issuer URL) to turn single sign-on on, or remove them.`,
      );
    }
    if (local === 'off') {
      problems.push(
        'LOCAL_SIGN_IN=off needs single sign-on: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET first, or nobody could sign in.',
      );
    }
    return { settings: undefined, problems };
  }

  let issuer: URL | undefined;
  try {
    issuer = new URL(env.OIDC_ISSUER);
  } catch {
    problems.push(
      'OIDC_ISSUER must be the https:// URL of your identity provider, like https://login.microsoftonline.com/<tenant-id>/v2.0.',
    );
  }
  if (issuer) {
    if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') {
      problems.push('OIDC_ISSUER must be an https:// URL.');
    } else if (issuer.protocol === 'http:' && !isLoopbackHostname(issuer.hostname)) {
      problems.push(
        'OIDC_ISSUER must be an https:// URL: sign-in answers from a provider over plain http could be read or changed on the way (http is accepted only for a provider on this computer, for testing).',
      );
    } else if (
      issuer.username !== '' ||
      issuer.password !== '' ||
      issuer.search !== '' ||
      issuer.hash !== ''
    ) {
      problems.push('OIDC_ISSUER must be the issuer URL only (no user name, query or fragment).');
    }
  }
  if (env.OIDC_CLIENT_ID === undefined) {
    problems.push('OIDC_CLIENT_ID must be set to the client (application) id registered with the provider.');
  }
  let clientSecret = env.OIDC_CLIENT_SECRET;
  if (env.OIDC_CLIENT_SECRET_FILE !== undefined) {
    if (clientSecret !== undefined) {
      problems.push('Set OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE, not both.');
    } else {
      try {
        clientSecret = readFile(env.OIDC_CLIENT_SECRET_FILE).trim();
      } catch {
        problems.push(`OIDC_CLIENT_SECRET_FILE: cannot read the file ${env.OIDC_CLIENT_SECRET_FILE}.`);
      }
      if (clientSecret === '') problems.push('OIDC_CLIENT_SECRET_FILE: the file is empty.');
    }
  }
  const scopes = (env.OIDC_SCOPES ?? 'openid email profile').split(/[\s,]+/).filter((s) => s !== '');
  if (!scopes.includes('openid')) problems.push('OIDC_SCOPES must include openid.');
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    problems.push('OIDC_SCOPES must be scope names separated by spaces, like "openid email profile".');
  }

  const allowedDomains = list(env.OIDC_ALLOWED_DOMAINS).map((d) => d.toLowerCase().replace(/^@/, ''));
  const badDomain = allowedDomains.find((d) => !DOMAIN.test(d));
  if (badDomain !== undefined) {
    problems.push(
      `OIDC_ALLOWED_DOMAINS must be e-mail domains separated by commas, like clinic.org,staff.clinic.org ("${badDomain}" is not one).`,
    );
  }
  const allowedGroups = list(env.OIDC_ALLOWED_GROUPS);
  const claimName = (name: string, value: string | undefined, fallback: string) => {
    const claim = value ?? fallback;
    if (!/^[A-Za-z0-9_:./-]{1,200}$/.test(claim)) {
      problems.push(`${name} must be a claim name, like groups or roles.`);
    }
    return claim;
  };
  const groupsClaim = claimName('OIDC_GROUPS_CLAIM', env.OIDC_GROUPS_CLAIM, 'groups');
  const roleClaim = claimName('OIDC_ROLE_CLAIM', env.OIDC_ROLE_CLAIM, groupsClaim);
  const roleMap: [string, OperatorRole][] = [];
  for (const entry of list(env.OIDC_ROLE_MAP)) {
    const eq = entry.lastIndexOf('=');
    const value = eq > 0 ? entry.slice(0, eq).trim() : '';
    const role =
      eq > 0
        ? entry
            .slice(eq + 1)
            .trim()
            .toLowerCase()
        : '';
    if (value === '' || !(OPERATOR_ROLES as readonly string[]).includes(role)) {
      problems.push(
        `OIDC_ROLE_MAP must be group=role pairs separated by commas, each role one of ${OPERATOR_ROLES.join(', ')}, like "va-admins=administrator,va-inviters=inviter" ("${entry}" is not one).`,
      );
      continue;
    }
    roleMap.push([value, role as OperatorRole]);
  }
  const providerName = env.OIDC_PROVIDER_NAME ?? (issuer ? providerNameFor(issuer) : '');
  if (providerName.length > 60) problems.push('OIDC_PROVIDER_NAME must be 60 characters or fewer.');

  if (env.PUBLIC_ORIGIN === undefined && env.HOST !== undefined && !isLoopbackHostname(env.HOST)) {
    problems.push(
      'Single sign-on needs PUBLIC_ORIGIN (the address people open, like https://viewer-admin.clinic.org): the provider sends people back to PUBLIC_ORIGIN/auth/sso/callback.',
    );
  }
  if (problems.length > 0 || issuer === undefined || env.OIDC_CLIENT_ID === undefined) {
    return { settings: undefined, problems };
  }
  return {
    settings: {
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret,
      scopes: scopes.join(' '),
      providerName,
      allowedDomains,
      allowedGroups,
      groupsClaim,
      roleClaim,
      roleMap,
      localSignIn: local !== 'off',
      publicOrigin: env.PUBLIC_ORIGIN,
    },
    problems,
  };
}
