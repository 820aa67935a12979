// Requests to a cluster (cluster.ts) in tests: through nginx, or straight to one instance as nginx would send them.
import { SessionSchema, type Session } from '../../src/contract/session.ts';
import type { Cluster, ClusterInstance } from './cluster.ts';
import { http, type HttpAnswer, type HttpOptions } from './http.ts';
import { CSRF_HEADERS, TEST_OPERATOR, clientFor, sessionCookieOf, type SignedInClient } from './session.ts';

/** Where a request goes: through nginx (TLS), or straight to one instance with the headers nginx would add. */
export function targetOf(
  cluster: Cluster,
  target: ClusterInstance | 'nginx',
  clientAddress?: string,
): { baseUrl: string; defaults: Pick<HttpOptions, 'headers' | 'dispatcher'> } {
  return target === 'nginx'
    ? { baseUrl: cluster.url, defaults: { dispatcher: cluster.dispatcher } }
    : { baseUrl: target.url, defaults: { headers: cluster.proxyHeaders(clientAddress) } };
}

/** One request (not signed in). */
export function clusterHttp(
  cluster: Cluster,
  target: ClusterInstance | 'nginx',
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: HttpOptions & { clientAddress?: string } = {},
): Promise<HttpAnswer> {
  const { baseUrl, defaults } = targetOf(cluster, target, options.clientAddress);
  return http(baseUrl, method, path, {
    ...options,
    headers: { ...CSRF_HEADERS, ...defaults.headers, ...options.headers },
    dispatcher: defaults.dispatcher,
  });
}

/** Sign in at `target`; the client keeps talking to it. */
export async function signInAt(
  cluster: Cluster,
  target: ClusterInstance | 'nginx',
  credentials: { email: string; password: string } = TEST_OPERATOR,
): Promise<SignedInClient> {
  const answer = await clusterHttp(cluster, target, 'POST', '/api/session', { body: credentials });
  if (answer.status !== 200) throw new Error(`Signing in answered ${answer.status}: ${answer.text}`);
  const cookie = sessionCookieOf(answer);
  if (!cookie) throw new Error('Signing in set no session cookie.');
  return sessionAt(cluster, target, cookie, SessionSchema.parse(answer.json()));
}

/** A client with this session cookie talking to `target` (the same browser, balanced to another instance). */
export function sessionAt(
  cluster: Cluster,
  target: ClusterInstance | 'nginx',
  cookie: string,
  session: Session,
): SignedInClient {
  const { baseUrl, defaults } = targetOf(cluster, target);
  return clientFor(baseUrl, cookie, session, defaults);
}
