import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { EmailSchema } from '../../contract/person.ts';
import type { OperatorRole } from '../../contract/session.ts';
import { AuditUnavailableError, type AuditTrail } from '../audit/audit-trail.ts';
import { ProblemError } from '../problems.ts';
import type { IdentityProfile, IdentityStore } from '../store/identities.ts';
import { OperatorExistsError, type OperatorRecord, type OperatorStore } from '../store/operators.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { PendingSsoFlow, SsoFlowStore } from '../store/sso-flows.ts';
import type { Authenticated, RequestFacts, SessionManager } from './session-manager.ts';
import { isLoopbackHostname, type SsoSettings } from './sso-settings.ts';

/**
 * Single sign-on with OpenID Connect (authorization code flow, PKCE S256, state and nonce), through openid-client,
 * which checks the provider's answers: the ID token's signature (keys fetched and rotated from the provider), issuer,
 * audience, expiry with clock tolerance, nonce, and the state. What happens after is ours: who may enter, the operator
 * created or brought up to date from the claims, and the same server-side session as a password sign-in.
 */

/** Why a single sign-on did not sign anyone in: the sign-in screen explains each (`/?sso=<reason>`). */
export const SSO_REFUSALS = [
  'unavailable',
  'failed',
  'expired',
  'cancelled',
  'email',
  'domain',
  'group',
  'disabled',
  'taken',
  'audit',
  'busy',
] as const;
export type SsoRefusal = (typeof SSO_REFUSALS)[number];

export class SsoRefusedError extends Error {
  override readonly name = 'SsoRefusedError';
  constructor(
    readonly reason: SsoRefusal,
    /** For the log line (never a token, a claim value or an e-mail address). */
    readonly logDetail: string,
  ) {
    super(`Single sign-on refused: ${reason}`);
  }
}

/** How long someone may take at the provider's sign-in page. */
export const FLOW_TTL_MS = 10 * 60_000;
/** The provider's metadata and keys are looked up again after this long (and after any failure). */
const DISCOVERY_TTL_MS = 24 * 3_600_000;
const DISCOVERY_TIMEOUT_SECONDS = 10;

export interface SsoDeps {
  settings: SsoSettings;
  identities: IdentityStore;
  operators: OperatorStore;
  sessionStore: SessionStore;
  /** Sign-ins on their way through the provider: in the database, so any instance finishes them. */
  flows: SsoFlowStore;
  sessions: SessionManager;
  audit: AuditTrail;
  now: () => number;
  log: { warn(fields: Record<string, unknown>, message: string): void };
}

export interface SsoSignedIn {
  auth: Authenticated;
  /** Kept server-side for the provider's sign-out (id_token_hint). */
  idToken: string | undefined;
}

export interface Sso {
  readonly settings: SsoSettings;
  /** Whether the provider offers sign-out (known once its metadata has been read). */
  providerSignOut(): boolean;
  /** Read the provider's metadata now (at start), so the sign-in screen knows what it offers. Never throws. */
  warmUp(): Promise<void>;
  /** A new sign-in: its id (for the browser's cookie) and the provider's address to send the browser to. */
  start(redirectUri: string): Promise<{ flowId: string; url: string }>;
  /** The provider sent the browser back: check everything, then sign in. Throws SsoRefusedError. */
  finish(flowId: string | undefined, callbackUrl: URL, facts: RequestFacts): Promise<SsoSignedIn>;
  /** The provider's sign-out address, or undefined when it has none. */
  endSessionUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined>;
}

const ROLE_RANK: Record<OperatorRole, number> = { viewer: 0, inviter: 1, administrator: 2 };
const ROLE_NAME: Record<OperatorRole, string> = {
  viewer: 'Viewer',
  inviter: 'Inviter',
  administrator: 'Administrator',
};

/** A claim as a list of strings (a lone string counts as one; anything else as none). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Printable text from a name claim, bounded. */
function nameText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return text === '' ? undefined : text;
}

/** The highest role the claim's values map to; Viewer (least privilege) when none does. */
export function roleFromClaims(settings: SsoSettings, claims: Record<string, unknown>): OperatorRole {
  const values = new Set(stringsOf(claims[settings.roleClaim]));
  let role: OperatorRole = 'viewer';
  for (const [value, mapped] of settings.roleMap) {
    if (values.has(value) && ROLE_RANK[mapped] > ROLE_RANK[role]) role = mapped;
  }
  return role;
}

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  // fetch's network failures (refused, reset, DNS) are TypeErrors with the system error as their cause.
  if (error instanceof TypeError) return true;
  // The provider answered, but not with its metadata or tokens (a 5xx page, a proxy's error).
  return error instanceof client.ClientError && error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM';
}

/** What a failure is called in the log: the library's code and message, never its cause (which may hold claims). */
function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
  const oauth = 'error' in error && typeof error.error === 'string' ? ` (${error.error})` : '';
  // The library's own wording of what failed (a claim's or parameter's name), and the names in its detail, never a value.
  const inner = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const cause: unknown = error.cause instanceof Error ? error.cause.cause : error.cause;
  const names =
    typeof cause === 'object' && cause !== null
      ? ['claim', 'parameter', 'attribute']
          .map((key) => (cause as Record<string, unknown>)[key])
          .filter((name): name is string => typeof name === 'string' && /^[\w.-]{1,40}$/.test(name))
      : [];
  const what = names.length > 0 ? ` [${names.map((n) => `"${n}"`).join(', ')}]` : '';
  return `${error.name}: ${code}${error.message}${inner}${oauth}${what}`.slice(0, 300);
}

export function createSso(deps: SsoDeps): Sso {
  const { settings, identities, operators, sessionStore, flows, sessions, audit, now, log } = deps;
  let discovered: { config: Promise<client.Configuration>; at: number } | undefined;
  let endSessionKnown = false;

  function configuration(): Promise<client.Configuration> {
    const at = now();
    if (discovered && at - discovered.at < DISCOVERY_TTL_MS) return discovered.config;
    const issuer = new URL(settings.issuer);
    const insecure = issuer.protocol === 'http:' && isLoopbackHostname(issuer.hostname);
    const metadata: Partial<client.ClientMetadata> = {
      // The BFF's clock (tests move it) judges the ID token's times, with the library's usual tolerance.
      [client.clockSkew]: Math.round((now() - Date.now()) / 1000),
    };
    if (settings.clientSecret !== undefined) metadata.client_secret = settings.clientSecret;
    const config = client
      .discovery(
        issuer,
        settings.clientId,
        metadata,
        settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .then((found) => {
        found.timeout = DISCOVERY_TIMEOUT_SECONDS;
        endSessionKnown = typeof found.serverMetadata().end_session_endpoint === 'string';
        return found;
      });
    const entry = { config, at };
    discovered = entry;
    // A failed look-up is not kept: the next sign-in asks the provider again.
    config.catch(() => {
      if (discovered === entry) discovered = undefined;
    });
    return config;
  }

  async function configurationOrRefuse(): Promise<client.Configuration> {
    try {
      return await configuration();
    } catch (error) {
      throw new SsoRefusedError(
        'unavailable',
        `The provider's metadata could not be read: ${errorSummary(error)}`,
      );
    }
  }

  async function refuse(
    reason: SsoRefusal,
    logDetail: string,
    who: { operator?: OperatorRecord | undefined; email?: string | undefined },
    facts: RequestFacts,
  ): Promise<never> {
    try {
      await audit.record({
        operatorId: who.operator?.id ?? null,
        operatorEmail: who.operator?.email ?? who.email ?? null,
        action: 'session.sign-in',
        requestId: facts.requestId,
        outcome: 'failure',
        clientAddress: facts.clientAddress,
        detail: `Single sign-on with ${settings.providerName}: ${logDetail}`,
      });
    } catch (error) {
      log.warn({ err: error }, 'A refused single sign-on could not be recorded in the activity log');
    }
    throw new SsoRefusedError(reason, logDetail);
  }

  /** Whether the last active Administrator would stop being one. */
  async function wouldRemoveLastAdministrator(operator: OperatorRecord, next: OperatorRole) {
    if (operator.role !== 'administrator' || next === 'administrator' || operator.disabled) return false;
    const all = await operators.list();
    return all.filter((o) => o.role === 'administrator' && !o.disabled).length <= 1;
  }

  return {
    settings,

    providerSignOut: () => endSessionKnown,

    async warmUp() {
      try {
        await configuration();
      } catch (error) {
        log.warn(
          { sso: { error: errorSummary(error) } },
          'The single sign-on provider could not be reached; it is asked again at the next sign-in',
        );
      }
    },

    async start(redirectUri) {
      const config = await configurationOrRefuse();
      const at = now();
      const verifier = client.randomPKCECodeVerifier();
      const flow: PendingSsoFlow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier,
        redirectUri,
        expiresAt: at + FLOW_TTL_MS,
      };
      const flowId = randomBytes(32).toString('base64url');
      await flows.saveFlow(flowId, flow, at);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return { flowId, url: url.href };
    },

    async finish(flowId, callbackUrl, facts) {
      // Single use: whatever happens next, this flow cannot be finished again.
      const flow = flowId === undefined ? undefined : await flows.takeFlow(flowId, now());
      if (!flow) {
        throw new SsoRefusedError('expired', 'No sign-in of this browser was waiting (or it took too long).');
      }
      const providerError = callbackUrl.searchParams.get('error');
      // Said only for this browser's own sign-in (a forged "cancelled" with another state goes on to be refused).
      const ownState = callbackUrl.searchParams.get('state') === flow.state;
      if (ownState && (providerError === 'access_denied' || providerError === 'login_required')) {
        throw new SsoRefusedError('cancelled', `The provider answered ${providerError}.`);
      }
      const config = await configurationOrRefuse();
      let tokens;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        if (isUnreachable(error)) {
          throw new SsoRefusedError(
            'unavailable',
            `The provider could not be reached: ${errorSummary(error)}`,
          );
        }
        return refuse('failed', `The provider's answer was refused (${errorSummary(error)}).`, {}, facts);
      }
      const claims = tokens.claims();
      if (!claims) return refuse('failed', 'The provider sent no ID token.', {}, facts);
      const linked = await identities.find(claims.iss, claims.sub);

      const email = EmailSchema.safeParse(claims.email);
      if (!email.success) {
        return refuse('email', 'The ID token has no usable email claim.', { operator: linked }, facts);
      }
      const who = { operator: linked, email: email.data };
      /** Refused now, and signed out everywhere if they were an operator: they no longer qualify. */
      const noLongerQualifies = async (reason: SsoRefusal, detail: string) => {
        if (linked) await sessionStore.revokeAllFor(linked.id);
        return refuse(reason, linked ? `${detail} Their sessions were ended.` : detail, who, facts);
      };
      if (settings.allowedDomains.length > 0) {
        const domain = email.data.slice(email.data.lastIndexOf('@') + 1);
        if (!settings.allowedDomains.includes(domain)) {
          return noLongerQualifies('domain', 'The email domain is not one of OIDC_ALLOWED_DOMAINS.');
        }
        // Anyone can claim an address at a provider that lets people register one unconfirmed. (Entra ID sends no
        // email_verified: its addresses are the tenant's own.)
        if (claims.email_verified === false) {
          return noLongerQualifies('domain', 'The provider does not say the email address is verified.');
        }
      }
      if (settings.allowedGroups.length > 0) {
        const groups = new Set(stringsOf(claims[settings.groupsClaim]));
        if (!settings.allowedGroups.some((group) => groups.has(group))) {
          return noLongerQualifies(
            'group',
            `Not in any of OIDC_ALLOWED_GROUPS (claim "${settings.groupsClaim}").`,
          );
        }
      }

      const displayName =
        nameText(claims.name) ??
        nameText([claims.given_name, claims.family_name].filter((p) => typeof p === 'string').join(' ')) ??
        nameText(claims.preferred_username) ??
        email.data;
      const mappedRole = roleFromClaims(settings, claims);
      const rolesFromProvider = settings.roleMap.length > 0;
      const at = now();
      let operator: OperatorRecord | undefined;
      const notes: string[] = [];
      try {
        if (linked) {
          operator = linked;
        } else {
          const existing = await operators.findByEmail(email.data);
          if (existing) {
            // An operator made before single sign-on: theirs only when the provider vouches for the address.
            if (claims.email_verified !== true) {
              return refuse(
                'taken',
                'An operator with this email exists, and the provider does not say the address is verified.',
                who,
                facts,
              );
            }
            const retired = await identities.link(claims.iss, claims.sub, existing.id, at);
            if (retired === 'already-linked') {
              return refuse(
                'taken',
                'The operator with this email signs in with another identity.',
                who,
                facts,
              );
            }
            operator = retired === 'password-retired' ? { ...existing, mustChangePassword: false } : existing;
            notes.push(
              retired === 'password-retired'
                ? 'Linked to the existing operator with this email; the password someone else gave them no longer works.'
                : 'Linked to the existing operator with this email.',
            );
          } else {
            const created = await identities.create(
              claims.iss,
              claims.sub,
              { email: email.data, displayName, role: mappedRole },
              at,
            );
            operator = created.operator;
            notes.push(
              created.first
                ? 'Created as the first operator, an Administrator.'
                : `Created as ${ROLE_NAME[operator.role]}.`,
            );
          }
        }
        if (operator.disabled) {
          return refuse('disabled', 'The operator is disabled.', { operator }, facts);
        }
        let role = operator.role;
        if (rolesFromProvider && mappedRole !== operator.role && !notes[0]?.startsWith('Created')) {
          if (await wouldRemoveLastAdministrator(operator, mappedRole)) {
            notes.push(
              `Stays Administrator (the provider's groups say ${ROLE_NAME[mappedRole]}, but they are the last active Administrator).`,
            );
          } else {
            notes.push(`Role changed from ${ROLE_NAME[operator.role]} to ${ROLE_NAME[mappedRole]}.`);
            role = mappedRole;
          }
        }
        // The e-mail does not follow an address the provider says is unconfirmed (it also links operators by e-mail).
        const profile: IdentityProfile = {
          email: claims.email_verified === false ? operator.email : email.data,
          displayName,
          role,
        };
        if (
          profile.email !== operator.email ||
          profile.displayName !== operator.displayName ||
          profile.role !== operator.role
        ) {
          operator = (await identities.update(operator.id, profile)) ?? operator;
        }
      } catch (error) {
        if (error instanceof OperatorExistsError) {
          return refuse('taken', 'Another operator already has this email.', who, facts);
        }
        throw error;
      }
      let auth: Authenticated;
      try {
        auth = await sessions.signInWithIdentity(
          operator,
          facts,
          [`Single sign-on with ${settings.providerName}.`, ...notes].join(' '),
        );
      } catch (error) {
        if (error instanceof ProblemError && error.problem.code === 'audit-unavailable') {
          throw new SsoRefusedError('audit', 'The activity log could not be written.');
        }
        if (error instanceof AuditUnavailableError) {
          throw new SsoRefusedError('audit', 'The activity log could not be written.');
        }
        throw error;
      }
      return { auth, idToken: tokens.id_token };
    },

    async endSessionUrl(idToken, postLogoutRedirectUri) {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch {
        return undefined;
      }
      if (typeof config.serverMetadata().end_session_endpoint !== 'string') return undefined;
      const parameters: Record<string, string> = {
        client_id: settings.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      };
      if (idToken !== undefined) parameters.id_token_hint = idToken;
      return client.buildEndSessionUrl(config, parameters).href;
    },
  };
}
