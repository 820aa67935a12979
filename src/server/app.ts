import { randomUUID } from 'node:crypto';
import { basename, relative, resolve, sep } from 'node:path';
import { constants as zlib } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { AvaraClient } from './avara/client.ts';
import { problemForUpstreamError } from './avara/problem-mapping.ts';
import type { RetryPolicy } from './avara/retry.ts';
import { UpstreamError } from './avara/upstream-error.ts';
import { ProblemError, toProblem } from './problems.ts';
import type { ProblemInit } from './problems.ts';
import { registerInvitationRoutes } from './routes/invitations.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { UpstreamProblemError } from './routes/route-helpers.ts';
import { registerUserRoutes } from './routes/users.ts';

/** Everything the BFF needs, explicitly: main.ts builds it from the environment, tests build it directly. */
export interface AppConfig {
  mode: 'sandbox' | 'live';
  upstream: {
    baseUrl: string;
    apiKey: string;
    timeoutMs: number;
    /** Tests shorten the backoff; production uses the defaults. */
    retry?: Partial<RetryPolicy> | undefined;
  };
  /** The built SPA (e.g. dist/); when absent only the API and /healthz are served. */
  staticDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
}

export const BODY_LIMIT_BYTES = 64 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Log redaction: belt and braces, since no log line is written with headers in the first place. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'];

/** Build the BFF (never listens: see start.ts). */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // One line per failure (in the error handler), not two per request: the default is too chatty for `npm start`.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Always our own id: it goes upstream, and nothing the browser sends does (an incoming x-request-id is ignored).
    genReqId: () => randomUUID(),
  });

  const client = new AvaraClient({
    baseUrl: config.upstream.baseUrl,
    apiKey: config.upstream.apiKey,
    timeoutMs: config.upstream.timeoutMs,
    retry: config.upstream.retry,
    onRetry: (event) => app.log.warn({ upstream: event }, 'Retrying a read from Avara'),
  });
  app.addHook('onClose', () => client.close());

  // JSON only: an empty body counts as "no body" (action routes take none); text/plain is refused with 415.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    json(request, text, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (isApiPath(request.url)) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const problem = problemForError(error);
    if (problem.status >= 500) request.log.error(logSummary(error), problem.title);
    else request.log.info(logSummary(error), problem.title);
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    if (config.staticDir !== undefined && wantsSpaShell(request)) {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    }
    return sendProblem(request, reply, {
      code: 'not-found',
      status: 404,
      title: 'There is nothing at this address',
      detail: 'Check the address, or go back to the start page.',
    });
  });

  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // Quality 4: most of brotli's gain for a fraction of its default (11) CPU cost, since we compress on the fly.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });

  registerMetaRoutes(app, { mode: config.mode });
  registerUserRoutes(app, { client });
  registerInvitationRoutes(app, { client });

  if (config.staticDir !== undefined) {
    const root = resolve(config.staticDir);
    await app.register(fastifyStatic, {
      root,
      wildcard: true,
      index: ['index.html'],
      cacheControl: false,
      // Build metadata such as .vite/manifest.json is not for browsers.
      dotfiles: 'ignore',
      // Source maps are never served, even if a build leaves some behind.
      allowedPath: (pathName) => !pathName.endsWith('.map') && !isApiPath(pathName),
      setHeaders: (res, filePath) => {
        const path = relative(root, filePath).split(sep).join('/');
        res.setHeader('cache-control', path.startsWith('assets/') ? IMMUTABLE : 'no-cache');
      },
    });
  }

  return app;
}

function loggerOptions(logger: AppConfig['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  if (logger === true) return { level: 'info', redact: REDACT };
  return { redact: REDACT, ...logger };
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/** A browser navigating to a client route (GET, wants HTML, not the API, not a file) gets the SPA shell. */
function wantsSpaShell(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (isApiPath(path) || path === '/healthz') return false;
  if (basename(path).includes('.')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

function problemForError(error: unknown): ProblemInit {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof UpstreamError) return problemForUpstreamError(error, 'list-users');
  const code = errorCode(error);
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'validation',
        status: 413,
        title: 'The request is too large',
        detail: `Send at most ${BODY_LIMIT_BYTES / 1024} KiB at a time.`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'unsupported-media-type',
        status: 415,
        title: 'Send the details as JSON',
        detail: 'This address accepts JSON only (Content-Type: application/json).',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        code: 'validation',
        status: 400,
        title: 'The request could not be read',
        detail: 'Send valid JSON.',
      };
  }
  const status = errorStatus(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: 'validation', status, title: 'The request could not be read' };
  }
  return {
    code: 'internal',
    status: 500,
    title: 'Something went wrong in Viewer Admin',
    detail: 'Nothing more is known yet. Try again; if it keeps happening, tell whoever runs Viewer Admin.',
  };
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemInit) {
  reply.code(problem.status);
  reply.header('content-type', 'application/problem+json; charset=utf-8');
  if (problem.status >= 400 && isApiPath(request.url)) reply.header('cache-control', 'no-store');
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  return reply.send(JSON.stringify(toProblem(problem, request.id)));
}

/** What the log gets about a failure: upstream errors by kind and status only (never their body). */
function logSummary(error: unknown): Record<string, unknown> {
  if (error instanceof UpstreamProblemError) {
    const { kind, status, attempts } = error.upstream;
    return { upstream: { kind, status, attempts } };
  }
  if (error instanceof ProblemError) return {};
  return { err: error };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}
