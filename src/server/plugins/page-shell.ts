import { basename, relative, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Mode } from '../../contract/mode.ts';
import type { ShellBootstrap } from '../../contract/session.ts';
import { readSessionCookie } from '../auth/cookie.ts';
import type { SessionManager } from '../auth/session-manager.ts';
import type { Sso } from '../auth/sso.ts';
import { signInMethodsOf } from '../routes/sign-in-methods.ts';
import { ProblemError } from '../problems.ts';
import { looksLikeApiPath } from '../security/api-spelling.ts';
import { createSpaShell } from '../spa-shell.ts';
import { NOT_FOUND, sendProblem } from './error-policy.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface PageShellOptions {
  /** The built SPA (e.g. dist/web/); when absent only the API and the health checks are served. */
  staticDir: string | undefined;
  sessions: SessionManager;
  mode: Mode['mode'];
  sso?: Sso | undefined;
}

/**
 * Everything outside /api: the SPA shell (index.html with the response's CSP nonce and who is signed in), the built
 * files, and the 404 answer. None of it ever answers for a path that is some spelling of /api: such a path that the
 * router did not map onto an /api route gets the plain 404 problem, with nothing in it.
 */
export async function registerPageShell(app: FastifyInstance, options: PageShellOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.api === true || !looksLikeApiPath(request.url)) return;
    reply.header('cache-control', 'no-store');
    throw new ProblemError(NOT_FOUND);
  });

  const { staticDir, sessions } = options;
  const shell = staticDir === undefined ? undefined : createSpaShell(resolve(staticDir));
  /**
   * Who is signed in, written into the shell (the app's first render then needs no GET /api/session). It names the
   * operator, so the page is never stored by a cache. If the session store cannot answer, the bootstrap block stays
   * empty and the app asks the API, which explains the failure.
   */
  // Written only with single sign-on: without it the shell stays as it was, and the app knows it means passwords.
  const signIn = () => (options.sso ? { signIn: signInMethodsOf(options.sso) } : {});
  const bootstrapFor = async (request: FastifyRequest): Promise<ShellBootstrap | undefined> => {
    try {
      const auth = await sessions.authenticate(readSessionCookie(request.headers.cookie));
      if (!auth) return { session: null, mode: null, ...signIn() };
      const session = sessions.describe(auth);
      // Like GET /api/mode, which waits until a password set by someone else has been replaced.
      return {
        session,
        mode: session.mustChangePassword ? null : { mode: options.mode },
        ...signIn(),
      };
    } catch (error) {
      request.log.warn({ err: error }, 'The session for the page shell could not be looked up');
      return undefined;
    }
  };
  const sendShell = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!shell) return reply.callNotFound();
    const bootstrap = await bootstrapFor(request);
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    return reply.send(shell.render(request.cspNonce, bootstrap));
  };

  app.setNotFoundHandler((request, reply) => {
    if (shell !== undefined && wantsSpaShell(request)) return sendShell(request, reply);
    return sendProblem(reply, NOT_FOUND);
  });

  if (staticDir === undefined) return;
  const root = resolve(staticDir);
  // The shell is never served as a plain file: it carries each response's CSP nonce.
  app.get('/', sendShell);
  app.get('/index.html', sendShell);
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    index: false,
    cacheControl: false,
    // Build metadata such as .vite/manifest.json is not for browsers.
    dotfiles: 'ignore',
    // Source maps are never served, even if a build leaves some behind.
    allowedPath: (pathName) => !pathName.endsWith('.map') && pathName !== '/index.html',
    setHeaders: (res, filePath) => {
      const path = relative(root, filePath).split(sep).join('/');
      res.setHeader('cache-control', path.startsWith('assets/') ? IMMUTABLE : 'no-cache');
      res.setHeader('vary', 'accept-encoding');
    },
  });
}

/** A browser navigating to a client route (GET, wants HTML, not a file) gets the SPA shell. */
function wantsSpaShell(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (path === '/healthz' || path === '/readyz') return false;
  if (basename(path).includes('.')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}
