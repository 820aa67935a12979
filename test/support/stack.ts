import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { request } from 'undici';
import { RequestLogSchema } from '../../src/sandbox/fault.ts';
import type { FaultSpec, RequestLogEntry } from '../../src/sandbox/fault.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { buildApp } from '../../src/server/app.ts';
import type { RetryPolicy } from '../../src/server/avara/retry.ts';
import { startServer } from '../../src/server/start.ts';

/**
 * A real sandbox and a real BFF pointed at it, both on 127.0.0.1 port 0, for server and end-to-end tests.
 * close() stops both and removes the temporary data directory.
 */

export type { FaultSpec, RequestLogEntry };

export interface StackOptions {
  /** The sandbox's test surface (/__sandbox/faults, /__sandbox/requests). Default true. */
  faultInjection?: boolean;
  /** Seed the demo clinic on first start. Default true. */
  seed?: boolean;
  /** Serve this built SPA from the BFF (e.g. dist/). */
  staticDir?: string;
  /** The sandbox's key (default: random). */
  apiKey?: string;
  /** The key the BFF sends (default: the sandbox's key; set it to something else to test a rejected key). */
  bffApiKey?: string;
  /** The BFF's upstream deadline per attempt (default 5000 ms). */
  upstreamTimeoutMs?: number;
  /** The BFF's retry policy (default: a quick backoff, so tests stay fast; Retry-After is honoured as usual). */
  retry?: Partial<RetryPolicy>;
  logger?: FastifyServerOptions['logger'];
}

export interface Stack {
  bffUrl: string;
  sandboxUrl: string;
  sandboxKey: string;
  dataDir: string;
  faults: { add(spec: FaultSpec | FaultSpec[]): Promise<void>; clear(): Promise<void> };
  upstreamRequests(): Promise<RequestLogEntry[]>;
  clearUpstreamRequests(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 20, maxBackoffMs: 100 };

export interface BffOptions {
  upstreamUrl: string;
  apiKey: string;
  mode?: 'sandbox' | 'live';
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  staticDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
}

/** A BFF on 127.0.0.1:0 pointed at any upstream (a second one beside a stack's: wrong key, short deadline...). */
export async function startBff(options: BffOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildApp({
    mode: options.mode ?? 'sandbox',
    upstream: {
      baseUrl: options.upstreamUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 5_000,
      retry: { ...TEST_RETRY, ...options.retry },
    },
    staticDir: options.staticDir,
    logger: options.logger ?? false,
  });
  return startServer(app, { host: '127.0.0.1', port: 0 });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-stack-'));
  const sandboxKey = options.apiKey ?? `sk_test_${randomBytes(16).toString('hex')}`;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse().splice(0)) await closer();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sandbox = await startSandbox({
      dataDir,
      apiKey: sandboxKey,
      host: '127.0.0.1',
      port: 0,
      faultInjection: options.faultInjection ?? true,
      seed: options.seed ?? true,
    });
    closers.push(() => sandbox.close());
    const bff = await startBff({
      upstreamUrl: sandbox.url,
      apiKey: options.bffApiKey ?? sandboxKey,
      timeoutMs: options.upstreamTimeoutMs,
      retry: options.retry,
      staticDir: options.staticDir,
      logger: options.logger,
    });
    closers.push(() => bff.close());

    const sandboxCall = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
      const response = await request(`${sandbox.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${sandboxKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) {
        throw new Error(`Sandbox ${method} ${path} answered ${response.statusCode}: ${text}`);
      }
      if (text === '') return undefined;
      const value: unknown = JSON.parse(text);
      return value;
    };

    return {
      bffUrl: bff.url,
      sandboxUrl: sandbox.url,
      sandboxKey,
      dataDir,
      faults: {
        add: async (spec) => {
          await sandboxCall('POST', '/__sandbox/faults', spec);
        },
        clear: async () => {
          await sandboxCall('DELETE', '/__sandbox/faults');
        },
      },
      upstreamRequests: async () =>
        RequestLogSchema.parse(await sandboxCall('GET', '/__sandbox/requests')).requests,
      clearUpstreamRequests: async () => {
        await sandboxCall('DELETE', '/__sandbox/requests');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
