import type { IncomingHttpHeaders } from 'node:http';
import type { RequestLogEntry } from './fault.ts';

/** Keep the log bounded (a long demo session must not grow memory without limit), yet room for a 1,000-row batch. */
const MAX_ENTRIES = 5000;

/** Header values as single strings (Node lower-cases the names already). */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at === -1 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

/** Every /v1 request the sandbox received, oldest first, for tests that check what the BFF sent. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  record(method: string, url: string, headers: IncomingHttpHeaders): RequestLogEntry {
    const entry: RequestLogEntry = { method, ...splitUrl(url), headers: flattenHeaders(headers), body: null };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return entry;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
