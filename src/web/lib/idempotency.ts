import * as z from 'zod/mini';
import { ApiError } from './api-client.ts';

/**
 * Idempotency keys for changes (the BFF requires one on every state-changing /api call). One key per submission of
 * a change: retrying the same submission after an open outcome (no answer, a 5xx, a timeout, "still in progress")
 * sends the same key, so the BFF answers it from its record instead of making the change twice. Once the change has
 * a definite answer (success or a refusal), the key is forgotten and the next submission gets a new one.
 */

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** JSON with object keys sorted at every depth: equal data, equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return `[${items.map((item) => (item === undefined ? 'null' : stableStringify(item))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const member: unknown = Reflect.get(value, key);
        return member === undefined ? [] : [`${JSON.stringify(key)}:${stableStringify(member)}`];
      });
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The key of the submission whose outcome is still open, per scope ("invite", "user.update:usr_…"). */
export interface PendingKey {
  /** stableStringify of what was submitted. */
  submission: string;
  key: string;
}

export interface KeyStorage {
  load(scope: string): PendingKey | undefined;
  save(scope: string, pending: PendingKey): void;
  clear(scope: string): void;
}

/** Kept for the life of the page (enough for Retry and for a dialog closed and opened again). */
export function memoryKeyStorage(): KeyStorage {
  const pending = new Map<string, PendingKey>();
  return {
    load: (scope) => pending.get(scope),
    save: (scope, value) => void pending.set(scope, value),
    clear: (scope) => void pending.delete(scope),
  };
}

const pageKeys = memoryKeyStorage();

const PendingKeySchema = z.object({ submission: z.string(), key: z.string() });

/**
 * Kept in sessionStorage (this tab, survives a reload, gone when the tab closes): for a form that restores an
 * unfinished submission after a reload, so that sending it again reuses its key.
 */
export function sessionKeyStorage(prefix = 'viewer-admin.idempotency.'): KeyStorage {
  return {
    load: (scope) => {
      const stored = readSession(prefix + scope);
      const parsed = PendingKeySchema.safeParse(stored);
      return parsed.success ? parsed.data : undefined;
    },
    save: (scope, pending) => writeSession(prefix + scope, pending),
    clear: (scope) => writeSession(prefix + scope, undefined),
  };
}

/** The parsed JSON stored under `name` in sessionStorage (undefined when absent, unreadable or unavailable). */
export function readSession(name: string): unknown {
  try {
    const text = window.sessionStorage.getItem(name);
    if (text === null) return undefined;
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}

/** Store `value` as JSON under `name` (undefined removes it). Storage that is full or disabled is ignored. */
export function writeSession(name: string, value: unknown): void {
  try {
    if (value === undefined) window.sessionStorage.removeItem(name);
    else window.sessionStorage.setItem(name, JSON.stringify(value));
  } catch {
    // Private mode or a full quota: the key then lives only as long as the page, which is still safe.
  }
}

/** Whether the change may or may not have happened: the same submission must be retried with the same key. */
export function isOutcomeOpen(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  const { status } = error;
  if (status === 0 || status === 408 || status === 429 || status >= 500) return true;
  return status === 409 && error.code === 'request-in-progress';
}

/**
 * Run a change with the key of this submission: the pending key when the same submission is being retried, a new
 * one otherwise. The key is kept while the outcome is open and forgotten once the answer is definite.
 */
export async function withIdempotencyKey<T>(
  scope: string,
  submission: unknown,
  call: (idempotencyKey: string) => Promise<T>,
  storage: KeyStorage = pageKeys,
): Promise<T> {
  const text = stableStringify(submission);
  const pending = storage.load(scope);
  const key = pending !== undefined && pending.submission === text ? pending.key : newIdempotencyKey();
  storage.save(scope, { submission: text, key });
  try {
    const result = await call(key);
    storage.clear(scope);
    return result;
  } catch (error) {
    if (!isOutcomeOpen(error)) storage.clear(scope);
    throw error;
  }
}
