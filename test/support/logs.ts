import { expect } from 'vitest';

/**
 * Collects what the BFF logs (pino writes one JSON object per line), so tests can read it and prove that no secret
 * and no e-mail address is ever written. Give `stream` to buildApp's logger options.
 */
export interface LogCapture {
  stream: { write(chunk: string): void };
  /** Every line written so far. */
  lines(): string[];
  /** Every line, parsed (a line that is not one JSON object fails the test: that would be a forged or broken line). */
  entries(): Record<string, unknown>[];
  /** Fail if any secret appears, or anything shaped like an e-mail address or a session cookie. */
  expectClean(secrets: readonly string[]): void;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

export function createLogCapture(): LogCapture {
  let buffer = '';
  const lines: string[] = [];
  return {
    stream: {
      write(chunk: string) {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          lines.push(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
      },
    },
    lines: () => [...lines],
    entries: () =>
      lines.map((line) => {
        const value: unknown = JSON.parse(line);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new Error(`A log line is not one JSON object: ${line}`);
        }
        return Object.fromEntries(Object.entries(value));
      }),
    expectClean(secrets) {
      const text = lines.join('\n');
      for (const secret of secrets) {
        if (secret !== '') expect(text.includes(secret), `a secret was logged`).toBe(false);
      }
      expect(EMAIL.exec(text)?.[0], 'an e-mail address was logged').toBeUndefined();
      expect(text).not.toMatch(/__Host-va_session=|authorization|bearer /i);
    },
  };
}
