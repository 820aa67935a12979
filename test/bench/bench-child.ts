// A child process of `npm run bench:bff`: runs the sandbox or the BFF alone, so the benchmark can read that
// process's own CPU time and memory (process.cpuUsage / memoryUsage) without the load generator or the other
// server in the figures. Talks to its parent over IPC:
//   child → parent: { type: 'ready', url } once listening;
//   parent → child: { type: 'usage', gc?: boolean } → { type: 'usage', cpuMicros, rss, maxRss, heapUsed };
//   { type: 'close' }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { startSandbox } from '../../src/sandbox/server.ts';
import { OWASP_PASSWORD_COST } from '../../src/server/auth/password.ts';
import { startBff } from '../support/stack.ts';
import { startFloorProxy } from './invite-floor.ts';

const ArgsSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('sandbox'),
    apiKey: z.string(),
    /** Its request log on (`npm run bench:bulk` counts the invites that reached it). */
    faultInjection: z.optional(z.boolean()),
    /** SANDBOX_SEED_PEOPLE (`npm run bench:directory`, `npm run bench:search`). */
    seedPeople: z.optional(z.number()),
  }),
  /** The floor of an invite's cost: the thinnest server making the same upstream call (invite-floor.ts). */
  z.object({ role: z.literal('floor-proxy'), apiKey: z.string(), upstreamUrl: z.string() }),
  z.object({
    role: z.literal('bff'),
    apiKey: z.string(),
    upstreamUrl: z.string(),
    logLevel: z.enum(['info', 'warn', 'silent']),
    /** Serve the built SPA from here as well (`npm run bench:load`). */
    staticDir: z.optional(z.string()),
    /** Hash passwords at the production cost, not the tests' cheap one (`npm run bench:signin`). */
    productionPasswordCost: z.optional(z.boolean()),
    /** Believe X-Forwarded-For from the benchmark on loopback, so it can send from many addresses. */
    trustLoopbackProxy: z.optional(z.boolean()),
  }),
]);

const MessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('usage'), gc: z.optional(z.boolean()) }),
  z.object({ type: z.literal('close') }),
]);

export type ChildArgs = z.infer<typeof ArgsSchema>;

async function main() {
  const args = ArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const dataDir = mkdtempSync(join(tmpdir(), `viewer-admin-bench-${args.role}-`));
  const server =
    args.role === 'sandbox'
      ? await startSandbox({
          dataDir,
          apiKey: args.apiKey,
          host: '127.0.0.1',
          port: 0,
          seed: true,
          faultInjection: args.faultInjection ?? false,
          seedPeople: args.seedPeople,
        })
      : args.role === 'floor-proxy'
        ? await startFloorProxy(args.upstreamUrl, args.apiKey)
        : await startBff({
            upstreamUrl: args.upstreamUrl,
            apiKey: args.apiKey,
            // The BFF's database in a file, as in production (not in memory).
            dataDir,
            staticDir: args.staticDir,
            // As in production (LOG_LEVEL=info: one line per /api request), written nowhere: the CPU of making
            // each line is measured, the terminal's is not.
            logger: args.logLevel === 'silent' ? false : { level: args.logLevel },
            logStream: { write: () => undefined },
            // The production per-operator limit is 600 a minute, far below a load test's rate from one operator.
            // A one-second window keeps the limiter's work per request what production's is (a few hundred times
            // remembered) while never refusing the benchmark.
            security: {
              apiLimit: { requests: 100_000, windowMs: 1_000 },
              ...(args.productionPasswordCost === true ? { passwordCost: OWASP_PASSWORD_COST } : {}),
              ...(args.trustLoopbackProxy === true ? { trustProxy: ['127.0.0.1'] } : {}),
            },
          });

  process.on('message', (raw: unknown) => {
    const message = MessageSchema.parse(raw);
    if (message.type === 'close') {
      void server.close().finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
      return;
    }
    if (message.gc === true) globalThis.gc?.();
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    process.send?.({
      type: 'usage',
      cpuMicros: cpu.user + cpu.system,
      rss: memory.rss,
      // The most this process has ever held (KiB, as the kernel counts it), so a peak between two polls is not missed.
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: memory.heapUsed,
    });
  });
  process.send?.({ type: 'ready', url: server.url });
}

void main();
