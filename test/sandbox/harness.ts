import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import * as z from 'zod/mini';
import type { InviteUserInput } from '../../src/contract/users.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import type { RunningSandbox, SandboxOptions } from '../../src/sandbox/server.ts';

export interface Reply {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** Sent as JSON (with a JSON content type). */
  body?: unknown;
  /** Sent as is; set the content type yourself in `headers`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The bearer key to send; null sends no Authorization header. Default: the sandbox's key. */
  key?: string | null;
}

export interface TestSandbox {
  url: string;
  apiKey: string;
  dataDir: string;
  sandbox: RunningSandbox;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

export type TestSandboxOptions = Partial<Omit<SandboxOptions, 'apiKey'>>;

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'viewer-sandbox-test-'));
}

/** A real sandbox on 127.0.0.1, port 0, with a random key and (unless given) its own temp data dir. */
export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeTempDir();
  const apiKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const sandbox = await startSandbox({ ...options, dataDir, apiKey });
  const agent = new Agent({ keepAliveTimeout: 1000 });

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? apiKey : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await request(`${sandbox.url}${path}`, { method, headers, body, dispatcher: agent });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  }

  return {
    url: sandbox.url,
    apiKey,
    dataDir,
    sandbox,
    call,
    async close() {
      await agent.close();
      await sandbox.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parse with a schema or fail the test with the issues. */
export function expectShape<Schema extends z.core.$ZodType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new Error(`Unexpected shape: ${JSON.stringify(result.error.issues)}\n${JSON.stringify(value)}`);
  }
  return result.data;
}

/** The upstream error body, as the sandbox answers it (stricter than the defensive contract parser). */
export const ErrorBodySchema = z.strictObject({
  message: z.string(),
  code: z.optional(z.string()),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
});

let counter = 0;

/** A valid invite body with a unique e-mail; an override of undefined leaves that field out of the JSON. */
export function inviteBody(
  overrides: Partial<Record<keyof InviteUserInput, unknown>> | Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  counter += 1;
  return {
    canManageStudies: true,
    clinicRole: 'Radiologist',
    email: `person.${counter}.${randomBytes(3).toString('hex')}@hospital.example`,
    firstName: 'Sarah',
    hasDashboardAccess: true,
    lastName: 'Johnson',
    level: 'member',
    ...overrides,
  };
}

/** A clock tests can move. */
export function testClock(start = '2025-03-10T12:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(iso: string) {
      current = new Date(iso).getTime();
    },
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;
