import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { SsoSettings } from '../../src/server/auth/sso-settings.ts';

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1, port 0, for single sign-on tests: its own sign-in page (dev
 * interactions: any password), test accounts with e-mails and groups (tests change them between sign-ins), and one
 * client. The provider is built once the BFF's address is known (`register`), since its client names the BFF's
 * callback; until then it answers 503, like a provider that is down.
 */

export interface TestAccount {
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  groups?: string[] | undefined;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By account id (what one types as the login on the provider's page). Change them at will. */
  accounts: Map<string, TestAccount>;
  /** Build the provider with the BFF's callback (and where it returns after sign-out). */
  register(bffUrl: string): void;
  /** The BFF's single sign-on settings for this provider, with `overrides`. */
  settings(overrides?: Partial<SsoSettings>): SsoSettings;
  close(): Promise<void>;
}

export const TEST_IDP_NAME = 'Test Identity';

export async function startTestIdp(
  accounts: Record<string, TestAccount>,
  options: { idTokenTtlSeconds?: number } = {},
): Promise<TestIdp> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end('Not ready');
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'viewer-admin';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const table = new Map(Object.entries(accounts));

  return {
    issuer,
    clientId,
    clientSecret,
    accounts: table,
    register(bffUrl) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [`${bffUrl}/auth/sso/callback`],
            post_logout_redirect_uris: [`${bffUrl}/`],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
        pkce: { required: () => true },
        // Claims in the ID token itself (as Entra ID, Okta and Keycloak can be set up to do).
        conformIdTokenClaims: false,
        claims: {
          openid: ['sub', 'groups'],
          email: ['email', 'email_verified'],
          profile: ['name'],
        },
        ttl: {
          IdToken: options.idTokenTtlSeconds ?? 3600,
          AccessToken: 600,
          Interaction: 600,
          Grant: 3600,
          Session: 3600,
        },
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        // The clinic's own application: no consent screen.
        loadExistingGrant: async (ctx) => {
          const accountId = ctx.oidc.session?.accountId;
          const client = ctx.oidc.client;
          if (accountId === undefined || !client) return undefined;
          const grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
          grant.addOIDCScope('openid email profile');
          await grant.save();
          return grant;
        },
        findAccount: async (_ctx, id) => {
          const account = table.get(id);
          if (!account) return undefined;
          return {
            accountId: id,
            claims: async () => ({
              sub: id,
              ...(account.email === undefined ? {} : { email: account.email }),
              ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
              ...(account.name === undefined ? {} : { name: account.name }),
              ...(account.groups === undefined ? {} : { groups: account.groups }),
            }),
          };
        },
      });
      const callback = provider.callback();
      handle = (req, res) => {
        void callback(req, res);
      };
    },
    settings(overrides = {}) {
      return {
        issuer,
        clientId,
        clientSecret,
        scopes: 'openid email profile',
        providerName: TEST_IDP_NAME,
        allowedDomains: [],
        allowedGroups: [],
        groupsClaim: 'groups',
        roleClaim: 'groups',
        roleMap: [],
        localSignIn: true,
        ...overrides,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
