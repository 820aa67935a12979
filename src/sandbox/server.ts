import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import type { SandboxContext } from './context.ts';
import { SandboxError } from './errors.ts';
import type { QueuedFault, RequestLogEntry } from './fault.ts';
import { FaultQueue } from './fault.ts';
import { applyFaultAfter, applyFaultBefore } from './fault-hooks.ts';
import { RequestLog, splitUrl } from './request-log.ts';
import { registerInvitationRoutes } from './routes-invitations.ts';
import { registerFaultRoutes, registerSandboxRoutes } from './routes-sandbox.ts';
import { registerUserRoutes } from './routes-users.ts';
import { SEED_PEOPLE, needsSeed, seedClinic } from './seed.ts';
import { seedManyPeople } from './seed-scale.ts';
import { SandboxStore } from './store.ts';

export interface SandboxOptions {
  /** The SQLite file lives at join(dataDir, 'sandbox.sqlite'); the directory is created if missing. */
  dataDir: string;
  /** The bearer key the sandbox accepts. */
  apiKey: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default false: enables /__sandbox/faults and /__sandbox/requests. */
  faultInjection?: boolean;
  /** Default true: seed the demo clinic on first start (empty database only). */
  seed?: boolean;
  /** SANDBOX_SEED_PEOPLE: seed this many people in all (the demo clinic and generated ones) instead of the demo clinic alone. */
  seedPeople?: number | undefined;
  /** The clock, for tests. */
  now?: () => Date;
}

export interface RunningSandbox {
  url: string;
  close(): Promise<void>;
}

export const BODY_LIMIT_BYTES = 64 * 1024;
export const INVALID_API_KEY = 'Invalid API key';

const FrameworkErrorSchema = z.looseObject({
  code: z.optional(z.string()),
  statusCode: z.optional(z.number()),
  message: z.optional(z.string()),
});

/** Map an error the handlers did not throw on purpose (body parsing, limits, bugs) to `{ message }`. */
function describeError(error: unknown): { status: number; message: string } {
  const parsed = FrameworkErrorSchema.safeParse(error);
  const info = parsed.success ? parsed.data : {};
  const status = info.statusCode ?? 500;
  if (info.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, message: 'The request body is too large: send at most 64 KiB.' };
  }
  if (info.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 400, message: 'Send the request body as JSON (Content-Type: application/json).' };
  }
  if (status === 400 && (error instanceof SyntaxError || info.code?.startsWith('FST_ERR_CTP_'))) {
    return { status: 400, message: 'The request body is not valid JSON.' };
  }
  if (status >= 400 && status < 500) return { status, message: info.message ?? 'The request was refused.' };
  return { status: 500, message: 'The sandbox could not handle the request.' };
}

/** Compare the bearer token with the key in constant time (both hashed to the same length first). */
function bearerCheck(apiKey: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(apiKey).digest();
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}

const isApiPath = (path: string) => path.startsWith('/v1/');

/**
 * The Avara-compatible upstream as a Fastify app that is not listening yet. Opens (and on first start seeds) the
 * database; the database closes with the app.
 */
export function buildSandboxApp(options: SandboxOptions): FastifyInstance {
  if (options.apiKey === '') throw new Error('The sandbox needs a non-empty API key.');
  const now = options.now ?? (() => new Date());
  const store = new SandboxStore(options.dataDir);
  if (options.seed !== false && needsSeed(store)) {
    const at = now();
    seedClinic(store, at);
    const more = (options.seedPeople ?? 0) - SEED_PEOPLE.length;
    if (more > 0) seedManyPeople(store, more, at);
  }
  const ctx: SandboxContext = { store, now };
  const authorized = bearerCheck(options.apiKey);
  const faults = options.faultInjection ? new FaultQueue() : undefined;
  const requests = new RequestLog();
  const logEntries = new WeakMap<FastifyRequest, RequestLogEntry>();
  const afterFaults = new WeakMap<FastifyRequest, QueuedFault>();

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  app.addHook('onClose', async () => store.close());
  // Only JSON bodies: anything else is refused (mapped to 400 by the error handler). An empty JSON body reads as
  // "no body" (the schemas then refuse it where a body is required), so bodiless sandbox calls never trip on it.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    const { path } = splitUrl(request.url);
    const api = isApiPath(path);
    if (api && faults) logEntries.set(request, requests.record(request.method, request.url, request.headers));
    if (!authorized(request.headers.authorization)) {
      await reply.code(401).send({ message: INVALID_API_KEY });
      return;
    }
    const fault = api ? faults?.take(request.method, path) : undefined;
    if (!fault) return;
    if (fault.afterHandling) afterFaults.set(request, fault);
    else await applyFaultBefore(fault, request, reply);
  });

  if (faults) {
    app.addHook('preHandler', async (request) => {
      const entry = logEntries.get(request);
      if (entry) entry.body = request.body ?? null;
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const fault = afterFaults.get(request);
      if (!fault) return payload;
      afterFaults.delete(request);
      return applyFaultAfter(fault, request, reply, payload);
    });
  }

  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof SandboxError) return reply.code(error.statusCode).send(error.body);
    const { status, message } = describeError(error);
    return reply.code(status).send({ message });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ message: 'Not found' }));

  registerUserRoutes(app, ctx);
  registerInvitationRoutes(app, ctx);
  registerSandboxRoutes(app, ctx);
  if (faults) registerFaultRoutes(app, faults, requests);
  return app;
}

/** Build the sandbox and listen (default 127.0.0.1 on a free port). */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const app = buildSandboxApp(options);
  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error('The sandbox is not listening on a TCP port.');
  }
  const { address: host, port, family }: AddressInfo = address;
  const url = `http://${family === 'IPv6' ? `[${host}]` : host}:${port}`;
  return { url, close: () => app.close() };
}
