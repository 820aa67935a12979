// Setup for the `web` test project (jsdom): jest-dom matchers, DOM cleanup, and any console.error fails the test.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { format } from 'node:util';
import { afterEach, beforeEach, vi } from 'vitest';

let consoleErrors: string[] = [];

beforeEach(() => {
  consoleErrors = [];
  // jsdom has no layout, so no scrolling: it reports window.scrollTo as "not implemented". Navigation scrolls to the
  // top (app/screen-arrival.tsx); tests that check it spy on this.
  if (typeof window !== 'undefined') window.scrollTo = () => undefined;
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(format(...args));
  });
});

afterEach(() => {
  cleanup();
  // A file may run in Node instead (`@vitest-environment node`, for code the build runs), without storage.
  if (typeof localStorage !== 'undefined') localStorage.clear();
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  const errors = consoleErrors;
  consoleErrors = [];
  if (errors.length > 0) {
    throw new Error(`console.error was called during the test:\n${errors.join('\n---\n')}`);
  }
});
