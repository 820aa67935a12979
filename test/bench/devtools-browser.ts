// Headless Chromium driven over the DevTools protocol directly (a pipe, no automation library), for `npm run
// bench:load`. A measured page then carries no driver instrumentation: Playwright enables several protocol domains on
// every page it opens, makes an extra JavaScript world in each document and tracks frames and requests, which added
// about 40 ms of main-thread work to each cold load of the invite screen (interleaved A/B, README). This client sends
// only what a measurement needs. The end-to-end tests keep Playwright.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as z from 'zod/mini';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../support/browser.ts';

const COMMAND_TIMEOUT_MS = 30_000;
const VIEWPORT = { width: 1280, height: 720 };

const ReplySchema = z.object({
  id: z.number(),
  result: z.optional(z.record(z.string(), z.unknown())),
  error: z.optional(z.object({ message: z.string() })),
});
const EventSchema = z.object({
  method: z.string(),
  sessionId: z.optional(z.string()),
  params: z.optional(z.record(z.string(), z.unknown())),
});
type Event = z.infer<typeof EventSchema>;

/** One DevTools-protocol connection over Chromium's --remote-debugging-pipe (NUL-separated JSON messages). */
class DevToolsPipe {
  private nextId = 0;
  private buffered = '';
  private readonly waiting = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Set<(event: Event) => void>();
  private closed: Error | undefined;

  constructor(
    private readonly output: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf('\0'); end >= 0; end = this.buffered.indexOf('\0')) {
        const message: unknown = JSON.parse(this.buffered.slice(0, end));
        this.buffered = this.buffered.slice(end + 1);
        this.dispatch(message);
      }
    });
  }

  private dispatch(message: unknown): void {
    const reply = ReplySchema.safeParse(message);
    if (reply.success) {
      const waiter = this.waiting.get(reply.data.id);
      this.waiting.delete(reply.data.id);
      if (reply.data.error) waiter?.reject(new Error(reply.data.error.message));
      else waiter?.resolve(reply.data.result ?? {});
      return;
    }
    const event = EventSchema.safeParse(message);
    if (event.success) for (const listener of this.listeners) listener(event.data);
  }

  /** Chromium went away: every command still waiting for an answer fails with `error`. */
  fail(error: Error): void {
    this.closed = error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> {
    const id = (this.nextId += 1);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${method} had no answer within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.output.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** The first event matching `test` (rejects after the timeout). */
  next(test: (event: Event) => boolean): Promise<Event> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`No matching DevTools event within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      const listener = (event: Event) => {
        if (!test(event)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event);
      };
      this.listeners.add(listener);
    });
  }
}

const TargetSchema = z.object({ targetId: z.string() });
const SessionSchema = z.object({ sessionId: z.string() });
const ContextSchema = z.object({ browserContextId: z.string() });
const NavigateSchema = z.object({ errorText: z.optional(z.string()) });
const EvaluatedSchema = z.object({
  result: z.object({ value: z.optional(z.unknown()) }),
  exceptionDetails: z.optional(
    z.object({ text: z.string(), exception: z.optional(z.object({ description: z.optional(z.string()) })) }),
  ),
});

export interface DevToolsPage {
  /** Evaluate `expression` in the page (awaiting a promise it returns) and give back its JSON value. */
  evaluate(expression: string): Promise<unknown>;
  /** Run `source` in every document this page loads, before the document's own scripts. */
  addInitScript(source: string): Promise<void>;
  /** Slow the page's main thread down `rate` times (1: not at all). */
  throttleCpu(rate: number): Promise<void>;
  /** Navigate and resolve once the new document is committed (its scripts may still be loading). */
  goto(url: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh browser context: no cookies, cache or storage shared with any other. */
export interface DevToolsContext {
  newPage(): Promise<DevToolsPage>;
}

export interface DevToolsBrowser {
  /** A new browser context, gone (with all it stored) when `use` settles. */
  withContext<T>(use: (context: DevToolsContext) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Chromium's answer while a new document's JavaScript context does not exist yet (right after a commit). */
const NO_CONTEXT_YET = 'Cannot find default execution context';
const NO_CONTEXT_RETRIES = 100;

export async function launchDevToolsBrowser(): Promise<DevToolsBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'viewer-admin-bench-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM_PATH,
    [...CHROMIUM_FLAGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const [, , , toBrowser, fromBrowser] = child.stdio;
  if (!isWritable(toBrowser) || !isReadable(fromBrowser)) throw new Error('Chromium gave no DevTools pipe.');
  const pipe = new DevToolsPipe(toBrowser, fromBrowser);
  child.once('exit', (code, signal) => pipe.fail(new Error(`Chromium exited (${String(code ?? signal)}).`)));
  child.once('error', (error) => pipe.fail(error));
  await pipe.send('Browser.getVersion');

  const pageIn = async (browserContextId: string): Promise<DevToolsPage> => {
    const { targetId } = TargetSchema.parse(
      await pipe.send('Target.createTarget', { url: 'about:blank', browserContextId }),
    );
    const { sessionId } = SessionSchema.parse(
      await pipe.send('Target.attachToTarget', { targetId, flatten: true }),
    );
    await pipe.send('Page.enable', {}, sessionId);
    // The viewport Playwright gives its pages (headless Chromium's window is smaller): the page lays out and paints
    // the same area as in the end-to-end tests and in earlier rounds of this benchmark.
    await pipe.send(
      'Emulation.setDeviceMetricsOverride',
      { ...VIEWPORT, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    return {
      evaluate: async (expression) => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            const evaluated = EvaluatedSchema.parse(
              await pipe.send(
                'Runtime.evaluate',
                { expression, awaitPromise: true, returnByValue: true },
                sessionId,
              ),
            );
            const thrown = evaluated.exceptionDetails;
            if (thrown) throw new Error(thrown.exception?.description ?? thrown.text);
            return evaluated.result.value;
          } catch (error) {
            const early = error instanceof Error && error.message.includes(NO_CONTEXT_YET);
            if (!early || attempt >= NO_CONTEXT_RETRIES) throw error;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      },
      addInitScript: async (source) => {
        await pipe.send('Page.addScriptToEvaluateOnNewDocument', { source }, sessionId);
      },
      throttleCpu: async (rate) => {
        await pipe.send('Emulation.setCPUThrottlingRate', { rate }, sessionId);
      },
      goto: async (url) => {
        const navigated = pipe.next(
          (event) =>
            event.sessionId === sessionId &&
            event.method === 'Page.frameNavigated' &&
            isMainFrameAt(event.params, url),
        );
        // Awaited below, or left behind (observed, so never an unhandled rejection) when the navigation fails.
        navigated.catch(() => undefined);
        const navigation = NavigateSchema.parse(await pipe.send('Page.navigate', { url }, sessionId));
        if (navigation.errorText) throw new Error(`Loading ${url} failed: ${navigation.errorText}`);
        await navigated;
      },
      close: async () => {
        await pipe.send('Target.closeTarget', { targetId });
      },
    };
  };

  return {
    withContext: async (use) => {
      const { browserContextId } = ContextSchema.parse(await pipe.send('Target.createBrowserContext'));
      try {
        return await use({ newPage: () => pageIn(browserContextId) });
      } finally {
        await pipe.send('Target.disposeBrowserContext', { browserContextId });
      }
    },
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await pipe.send('Browser.close').catch(() => child.kill());
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const FrameSchema = z.object({ frame: z.object({ url: z.string(), parentId: z.optional(z.string()) }) });

function isMainFrameAt(params: unknown, url: string): boolean {
  const parsed = FrameSchema.safeParse(params);
  return parsed.success && parsed.data.frame.parentId === undefined && parsed.data.frame.url === url;
}

function isWritable(stream: unknown): stream is Writable {
  return typeof stream === 'object' && stream !== null && 'write' in stream;
}

function isReadable(stream: unknown): stream is Readable {
  return typeof stream === 'object' && stream !== null && 'setEncoding' in stream;
}
