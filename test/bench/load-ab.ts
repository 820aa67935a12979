// `npm run bench:load-ab -- <dist A> <dist B>`: an interleaved A/B of two builds of the web app, the measurement of
// bench:load (load-probe.ts). Both builds are served at once, by two BFFs on one sandbox; the loads alternate A, B, B,
// A, ... so that whatever else the machine does falls on both alike. For each of plain and 4x CPU throttling it prints
// both medians, B - A, and a 95% bootstrap interval of that difference: an interval that holds 0 means the builds
// cannot be told apart at this many loads (BENCH_AB_LOADS, default 15 each).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startChild } from './child.ts';
import { launchDevToolsBrowser } from './devtools-browser.ts';
import { QUIET_WAIT_SECONDS, measureLoad, median, waitForQuietMachine } from './load-probe.ts';

const LOADS = Number(process.env.BENCH_AB_LOADS ?? 15);
const RUNS = [
  { name: 'plain', cpuThrottling: 1 },
  { name: '4x CPU throttling', cpuThrottling: 4 },
] as const;
const RESAMPLES = 2_000;

/** A 95% interval of median(b) - median(a), by resampling each side with replacement. */
function bootstrapInterval(a: readonly number[], b: readonly number[]): [number, number] {
  const pick = (values: readonly number[]) =>
    Array.from({ length: values.length }, () => values[Math.floor(Math.random() * values.length)] ?? 0);
  const differences = Array.from({ length: RESAMPLES }, () => median(pick(b)) - median(pick(a))).sort(
    (x, y) => x - y,
  );
  return [differences[Math.floor(RESAMPLES * 0.025)] ?? 0, differences[Math.floor(RESAMPLES * 0.975)] ?? 0];
}

async function main() {
  const [distA, distB] = process.argv.slice(2).map((dir) => resolve(dir));
  if (
    distA === undefined ||
    distB === undefined ||
    ![distA, distB].every((dir) => existsSync(`${dir}/index.html`))
  ) {
    throw new Error('Give two built apps: npm run bench:load-ab -- <dist A> <dist B>');
  }
  const apiKey = `sk_bench_${randomBytes(16).toString('hex')}`;
  const sandbox = await startChild({ role: 'sandbox', apiKey });
  const serve = (staticDir: string) =>
    startChild({ role: 'bff', apiKey, upstreamUrl: sandbox.url, logLevel: 'warn', staticDir });
  const bffs = [await serve(distA), await serve(distB)] as const;
  const browser = await launchDevToolsBrowser();
  try {
    for (const bff of bffs) await measureLoad(browser, bff.url, 1); // warm-up, not counted
    console.log(`A = ${distA}\nB = ${distB}\n${LOADS} cold loads of each, interleaved`);
    for (const run of RUNS) {
      const times: [number[], number[]] = [[], []];
      let busyLoads = 0;
      for (let round = 0; round < LOADS; round += 1) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const side of order) {
          if (QUIET_WAIT_SECONDS > 0 && !(await waitForQuietMachine())) busyLoads += 1;
          times[side]?.push(await measureLoad(browser, bffs[side === 0 ? 0 : 1].url, run.cpuThrottling));
        }
      }
      const [a, b] = times;
      const [low, high] = bootstrapInterval(a, b);
      const verdict = low > 0 ? 'B slower' : high < 0 ? 'B faster' : 'no difference beyond the noise';
      console.log(
        `${run.name.padEnd(18)} A ${median(a).toFixed(0)} ms, B ${median(b).toFixed(0)} ms, B - A ` +
          `${(median(b) - median(a)).toFixed(0)} ms (95% ${low.toFixed(0)} to ${high.toFixed(0)}): ${verdict}`,
      );
      console.log(
        `  A: ${a.map((t) => t.toFixed(0)).join(' ')}\n  B: ${b.map((t) => t.toFixed(0)).join(' ')}`,
      );
      if (busyLoads > 0) console.log(`  ${busyLoads} loads ran while other work kept the machine busy.`);
    }
  } finally {
    await browser.close();
    for (const bff of bffs) await bff.close();
    await sandbox.close();
  }
}

await main();
