// Runs the sandbox or the BFF in a child process of a benchmark (bench-child.ts), as production runs the BFF: in its
// own process, so the load generator or the browser driver never shares its event loop or shows up in its CPU time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import type { ChildArgs } from './bench-child.ts';

const UsageSchema = z.object({
  type: z.literal('usage'),
  cpuMicros: z.number(),
  rss: z.number(),
  maxRss: z.number(),
  heapUsed: z.number(),
});
export type Usage = z.infer<typeof UsageSchema>;
const ReadySchema = z.object({ type: z.literal('ready'), url: z.string() });

export interface Child {
  url: string;
  usage(gc?: boolean): Promise<Usage>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./bench-child.ts', import.meta.url));

export async function startChild(args: ChildArgs): Promise<Child> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(args)], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      // BENCH_PROFILE=dir: a V8 CPU profile of each server, written to dir when it exits (for finding hot spots).
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(schema: z.ZodMiniType<T>) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        const parsed = schema.safeParse(message);
        if (!parsed.success) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(parsed.data);
      };
      const onExit = (code: number | null) => reject(new Error(`${args.role} exited early (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { url } = await next(ReadySchema);
  return {
    url,
    usage: async (gc = false) => {
      const answer = next(UsageSchema);
      child.send({ type: 'usage', gc });
      return answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}
