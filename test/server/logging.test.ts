import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { UpstreamError } from '../../src/server/avara/upstream-error.ts';
import { redactUrl } from '../../src/server/logging.ts';
import { testAppConfig } from '../support/app-config.ts';
import { createLogCapture } from '../support/logs.ts';

describe('redactUrl', () => {
  it('keeps the path and parameter names, never the values', () => {
    expect(redactUrl('/api/users?email=dana%40clinic.org&limit=5')).toBe(
      '/api/users?email=[redacted]&limit=[redacted]',
    );
    expect(redactUrl('/api/users')).toBe('/api/users');
    expect(redactUrl('/api/users?')).toBe('/api/users?');
  });

  it('drops parameter names that could carry data themselves', () => {
    expect(redactUrl('/x?dana%40clinic.org')).toBe('/x?[redacted]');
    expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?[redacted]');
    expect(redactUrl(`/x?${'a'.repeat(60)}=1`)).toBe('/x?[redacted]');
  });
});

/** Whatever the app's logger is given, the secrets in it come out blanked (redaction is the belt; serializers the braces). */
describe("the app's logger", () => {
  let app: FastifyInstance;
  const logs = createLogCapture();
  beforeAll(async () => {
    app = await buildApp(
      testAppConfig({
        mode: 'sandbox',
        upstream: { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_log_test_key', timeoutMs: 1000 },
        logger: { level: 'info' },
        logStream: logs.stream,
      }),
    );
  });
  afterAll(() => app.close());
  const last = () => logs.entries().at(-1);

  it('blanks secrets at the top of a logged object and one level down, and leaves the rest', () => {
    app.log.info(
      {
        password: 'p1',
        currentPassword: 'p2',
        newPassword: 'p3',
        apiKey: 'k1',
        email: 'dana@clinic.org',
        body: { anything: 'at all' },
        signIn: { email: 'lee@clinic.org', password: 'p4', attempt: 2 },
        change: { currentPassword: 'p5', newPassword: 'p6' },
        upstream: { apiKey: 'k2', status: 401 },
        count: 3,
      },
      'something happened',
    );
    expect(last()).toMatchObject({
      msg: 'something happened',
      password: '[redacted]',
      apiKey: '[redacted]',
      email: '[redacted]',
      body: '[redacted]',
      signIn: { email: '[redacted]', password: '[redacted]', attempt: 2 },
      change: { currentPassword: '[redacted]', newPassword: '[redacted]' },
      upstream: { apiKey: '[redacted]', status: 401 },
      count: 3,
    });
    expect(JSON.stringify(last())).not.toMatch(/p[1-6]"|k[12]"|@clinic/);
  });

  const headers = {
    authorization: 'Bearer sk_x',
    cookie: '__Host-va_session=abc',
    'set-cookie': '__Host-va_session=def',
    accept: 'application/json',
  };

  it('blanks credentials in headers, wherever headers are logged', () => {
    app.log.info({ headers, request: { headers: { ...headers, 'x-csrf': '1' }, body: { x: 1 } } }, 'headers');
    expect(last()).toMatchObject({
      headers: {
        authorization: '[redacted]',
        cookie: '[redacted]',
        'set-cookie': '[redacted]',
        accept: 'application/json',
      },
    });
    expect(JSON.stringify(last())).not.toMatch(/sk_x|abc|def/);
  });

  it("logs Avara's errors, whose body is hidden and read-only, without throwing or writing the body", () => {
    const failure = new UpstreamError({
      kind: 'http',
      status: 409,
      body: { message: 'sk_hidden_body_text already exists' },
    });
    expect(() => app.log.error({ err: failure }, 'failed')).not.toThrow();
    expect(last()).toMatchObject({ err: { type: 'UpstreamError', kind: 'http', status: 409 } });
    expect(JSON.stringify(last())).not.toContain('sk_hidden_body_text');
  });

  it('logs a request as method and path only, and an error with its secrets blanked', () => {
    const failure = Object.assign(new Error('The upstream refused'), {
      email: 'dana@clinic.org',
      status: 401,
    });
    app.log.error({ err: failure }, 'failed');
    expect(last()).toMatchObject({
      err: { type: 'Error', message: 'The upstream refused', email: '[redacted]', status: 401 },
    });
    expect(last()?.err).toHaveProperty('stack');
    // Fastify makes each request's logger with this factory (the request id is its binding).
    const child = app.childLoggerFactory.call(
      app,
      app.log,
      { reqId: 'r-1', apiKey: 'k3' },
      {},
      new IncomingMessage(new Socket()),
    );
    child.info(
      { req: { method: 'GET', url: '/api/users?email=a', headers }, res: { statusCode: 200 } },
      'done',
    );
    expect(last()).toMatchObject({
      reqId: 'r-1',
      apiKey: '[redacted]',
      req: { method: 'GET', url: '/api/users?email=[redacted]' },
      res: { statusCode: 200 },
    });
    expect(JSON.stringify(last())).not.toMatch(/sk_x|k3/);
  });
});
