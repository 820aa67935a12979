// `npm run bench:bff`: the BFF under load. Starts the sandbox and the BFF each in its own child process
// (bench-child.ts), seeds the sandbox with enough users for a full 100-user page, signs an operator in, and runs
// autocannon (in this process) against:
//   - the BFF: GET /api/users?limit=100, a directory search (GET /api/directory/people?q=, varied searches after a
//     refresh), and POST /api/users (invite) with a fresh Idempotency-Key and e-mail each;
//   - the sandbox directly, the same two calls, for comparison (what the BFF adds on top of the upstream);
//   - a soak: the BFF at 50 connections for 60 s (list and invite mixed), checking for errors and memory growth.
// For each it prints req/s, p50/p99 latency and CPU microseconds per request of the server under test (its own
// process.cpuUsage delta divided by the requests answered). Targets: BFF CPU per invite ≤ 200 µs, per 100-user page
// ≤ 800 µs; the soak without errors and without heap growth. Exit code 1 when a target is missed.
// Then the floor of an invite (invite-floor.ts): the thinnest Node server making the same Avara call at the rate the BFF
// reached, and the two durable commits an invite must make, measured alone; what no BFF doing this job can go below.
// Options (environment): BENCH_SECONDS (default 10) per measured run, SOAK_SECONDS (default 60), BENCH_CONNECTIONS
// (default 10), BENCH_LOG_LEVEL (info, warn or silent; default info, as in production).
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { AutocannonOptions } from 'autocannon';
import { request } from 'undici';
import * as z from 'zod/mini';
import { DirectoryFreshnessSchema } from '../../src/contract/directory.ts';
import type { InviteUserInput } from '../../src/contract/users.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import { startChild } from './child.ts';
import type { Child } from './child.ts';
import { measureDurableWrites } from './invite-floor.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SOAK_CONNECTIONS = 50;
const LogLevelSchema = z.enum(['info', 'warn', 'silent']);
/** The BFF's log level during the run (BENCH_LOG_LEVEL): production's `info` by default. */
const LOG_LEVEL = LogLevelSchema.parse(process.env.BENCH_LOG_LEVEL ?? 'info');
const WARMUP_SECONDS = 3;
const TARGET_INVITE_MICROS = 200;
const TARGET_LIST_MICROS = 800;
/** After a forced GC, the soak may leave this much more heap in use (caches warming, JIT) and still count as flat. */
const HEAP_GROWTH_LIMIT_BYTES = 8 * 1024 * 1024;
const EXTRA_USERS = 110;
/** Invites whose two commits are timed alone for the floor. */
const FLOOR_WRITES = 5000;

const ResultSchema = z.object({
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  '2xx': z.number(),
  latency: z.object({ p50: z.number(), p99: z.number() }),
  requests: z.object({ average: z.number(), total: z.number() }),
});
type Result = z.infer<typeof ResultSchema>;

let people = 0;
function person(): InviteUserInput {
  people += 1;
  return {
    firstName: 'Bench',
    lastName: `Person ${people}`,
    email: `bench-${people}-${randomBytes(4).toString('hex')}@clinic.example`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
  };
}

interface Scenario {
  key: string;
  name: string;
  server: Child;
  options: AutocannonOptions;
  /** CPU µs per request this scenario must stay within (BFF runs only). */
  targetMicros?: number;
}

interface Measured {
  result: Result;
  cpuMicrosPerRequest: number;
}

async function measure(scenario: Scenario, seconds: number): Promise<Measured> {
  const before = await scenario.server.usage();
  const result = ResultSchema.parse(await autocannon({ ...scenario.options, duration: seconds }));
  const after = await scenario.server.usage();
  const answered = Math.max(1, result.requests.total);
  return { result, cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / answered };
}

function row(name: string, m: Measured, target?: number): { line: string; pass: boolean } {
  const { result } = m;
  const clean = result.errors === 0 && result.timeouts === 0 && result.non2xx === 0;
  const pass = clean && (target === undefined || m.cpuMicrosPerRequest <= target);
  const cells = [
    name.padEnd(34),
    result.requests.average.toFixed(0).padStart(7),
    result.latency.p50.toFixed(1).padStart(8),
    result.latency.p99.toFixed(1).padStart(8),
    m.cpuMicrosPerRequest.toFixed(0).padStart(9),
    (target === undefined ? '-' : `≤ ${target}`).padStart(8),
    `${result.errors + result.timeouts}/${result.non2xx}`.padStart(9),
  ];
  return { line: `| ${cells.join(' | ')} | ${pass ? 'PASS' : 'FAIL'} |`, pass };
}

/** Searches of the directory, taken in turn by the search run (the demo clinic's people, typed as admins do). */
const SEARCHES = ['natarajan p', 'PRIYA', 'zoe', 'northside-imaging', 'reyes', 'bec', '555', 'ramirez d'];

/** Fill the directory from the sandbox (a refresh, followed to its end) so the search run has people to find. */
async function refreshDirectory(bffUrl: string, headers: Record<string, string>): Promise<void> {
  const asked = await request(`${bffUrl}/api/directory/refresh`, { method: 'POST', headers });
  await asked.body.dump();
  if (asked.statusCode !== 202) throw new Error(`The directory refresh answered ${asked.statusCode}.`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const status = await request(`${bffUrl}/api/directory/status`, { headers });
    const freshness = DirectoryFreshnessSchema.parse(await status.body.json());
    if (freshness.refreshing) continue;
    if (freshness.lastError !== null) throw new Error(`The directory refresh failed: ${freshness.lastError}`);
    return;
  }
}

/** Sign the test operator in; the headers a signed-in browser then sends with every /api call. */
async function bffSession(bffUrl: string): Promise<Record<string, string>> {
  const response = await request(`${bffUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf': '1' },
    body: JSON.stringify(TEST_OPERATOR),
  });
  await response.body.dump();
  const setCookie = [response.headers['set-cookie'] ?? []].flat().join('; ');
  const cookie = /(__Host-va_session=[A-Za-z0-9_-]+)/.exec(setCookie)?.[1];
  if (response.statusCode !== 200 || cookie === undefined) {
    throw new Error(`Signing in to the BFF answered ${response.statusCode}.`);
  }
  return { cookie, 'x-csrf': '1' };
}

async function seedUsers(sandboxUrl: string, apiKey: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await request(`${sandboxUrl}/v1/viewer/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(person()),
    });
    await response.body.dump();
    if (response.statusCode >= 300) throw new Error(`Seeding answered ${response.statusCode}`);
  }
}

function inviteRequests(path: string, headers: Record<string, string>): AutocannonOptions['requests'] {
  return [
    {
      method: 'POST',
      path,
      setupRequest: (req) => ({
        ...req,
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(person()),
      }),
    },
  ];
}

/**
 * The least an invite can cost at the rate the BFF reached: the thinnest server making the same upstream call (its
 * network round trip, in its own process, at that rate: per-request kernel costs depend on it), plus the two durable
 * commits the idempotency and audit guarantees require, timed alone in this process. Printed, not judged.
 */
async function printInviteFloor(sandboxUrl: string, apiKey: string, bffInvite: Measured): Promise<void> {
  const rate = Math.max(1, Math.round(bffInvite.result.requests.average));
  const proxy = await startChild({ role: 'floor-proxy', apiKey, upstreamUrl: sandboxUrl });
  try {
    const scenario: Scenario = {
      key: 'floor',
      name: 'thinnest server, same call',
      server: proxy,
      options: {
        connections: CONNECTIONS,
        timeout: 10,
        overallRate: rate,
        url: proxy.url,
        requests: inviteRequests('/api/users', {}),
      },
    };
    await measure(scenario, WARMUP_SECONDS);
    const network = await measure(scenario, SECONDS);
    const writes = await measureDurableWrites(FLOOR_WRITES);
    const total = network.cpuMicrosPerRequest + writes;
    console.log(`\nFloor of an invite at the BFF's rate (${rate} req/s), CPU µs per invite:`);
    console.log(
      `  thinnest Node server making the same Avara call (node:http + undici, nothing else) ` +
        `${network.cpuMicrosPerRequest.toFixed(0)} µs (${network.result.errors + network.result.non2xx} errors)`,
    );
    console.log(
      `  the invite's two durable commits (idempotency key and audit record), alone ${writes.toFixed(0)} µs`,
    );
    console.log(
      `  together ${total.toFixed(0)} µs, before any session check, validation, framework or log line ` +
        `(invite target ${TARGET_INVITE_MICROS} µs)`,
    );
  } finally {
    await proxy.close();
  }
}

async function main() {
  const apiKey = `sk_bench_${randomBytes(16).toString('hex')}`;
  const sandbox = await startChild({ role: 'sandbox', apiKey });
  const bff = await startChild({ role: 'bff', apiKey, upstreamUrl: sandbox.url, logLevel: LOG_LEVEL });
  let failed = false;
  try {
    await seedUsers(sandbox.url, apiKey, EXTRA_USERS);
    const session = await bffSession(bff.url);
    await refreshDirectory(bff.url, session);
    const upstream = { authorization: `Bearer ${apiKey}` };
    const base = { connections: CONNECTIONS, timeout: 10 };
    const scenarios: Scenario[] = [
      {
        key: 'mode',
        name: 'BFF  GET /api/mode (no upstream)',
        server: bff,
        options: { ...base, url: `${bff.url}/api/mode`, headers: session },
      },
      {
        key: 'list',
        name: 'BFF  GET /api/users?limit=100',
        server: bff,
        targetMicros: TARGET_LIST_MICROS,
        options: { ...base, url: `${bff.url}/api/users?limit=100`, headers: session },
      },
      {
        key: 'search',
        name: 'BFF  GET /api/directory/people?q=…',
        server: bff,
        options: {
          ...base,
          url: bff.url,
          requests: SEARCHES.map((q) => ({
            method: 'GET',
            path: `/api/directory/people?q=${encodeURIComponent(q)}`,
            headers: session,
          })),
        },
      },
      {
        key: 'invite',
        name: 'BFF  POST /api/users (invite)',
        server: bff,
        targetMicros: TARGET_INVITE_MICROS,
        options: { ...base, url: bff.url, requests: inviteRequests('/api/users', session) },
      },
      {
        key: 'sandbox-list',
        name: 'Avara sandbox  GET users?limit=100',
        server: sandbox,
        options: { ...base, url: `${sandbox.url}/v1/viewer/users?limit=100`, headers: upstream },
      },
      {
        key: 'sandbox-invite',
        name: 'Avara sandbox  POST users',
        server: sandbox,
        options: { ...base, url: sandbox.url, requests: inviteRequests('/v1/viewer/users', upstream) },
      },
    ];

    // BENCH_ONLY=list,search,invite,sandbox-list,sandbox-invite: run only these (for profiling one path).
    const only = process.env.BENCH_ONLY?.split(',');
    if (only)
      scenarios.splice(0, scenarios.length, ...scenarios.filter((scenario) => only.includes(scenario.key)));

    console.log(`Warming up (${WARMUP_SECONDS} s per scenario)…`);
    for (const scenario of scenarios) await measure(scenario, WARMUP_SECONDS);

    console.log(
      `\n${SECONDS} s per run, ${CONNECTIONS} connections; CPU = the server's own process.cpuUsage per request\n`,
    );
    console.log(
      '| run                                |   req/s | p50 (ms) | p99 (ms) | CPU µs/req |   target | err/non2xx | |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    const measured = new Map<string, Measured>();
    for (const scenario of scenarios) {
      const m = await measure(scenario, SECONDS);
      measured.set(scenario.key, m);
      const { line, pass } = row(scenario.name, m, scenario.targetMicros);
      failed ||= !pass;
      console.log(line);
    }

    const invite = measured.get('invite');
    if (invite) await printInviteFloor(sandbox.url, apiKey, invite);

    if (SOAK_SECONDS <= 0) return;
    console.log(
      `\nSoak: the BFF at ${SOAK_CONNECTIONS} connections for ${SOAK_SECONDS} s (3 lists : 1 invite)`,
    );
    const before = await bff.usage(true);
    const soak = await measure(
      {
        key: 'soak',
        name: 'soak',
        server: bff,
        options: {
          url: bff.url,
          connections: SOAK_CONNECTIONS,
          timeout: 10,
          requests: [
            { method: 'GET', path: '/api/users?limit=100', headers: session },
            { method: 'GET', path: '/api/users?limit=100', headers: session },
            { method: 'GET', path: '/api/users?limit=100', headers: session },
            ...(inviteRequests('/api/users', session) ?? []),
          ],
        },
      },
      SOAK_SECONDS,
    );
    const after = await bff.usage(true);
    const soakRow = row(`BFF soak, ${SOAK_CONNECTIONS} connections`, soak);
    console.log(soakRow.line);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    const heapGrowth = after.heapUsed - before.heapUsed;
    const flat = heapGrowth <= HEAP_GROWTH_LIMIT_BYTES;
    console.log(
      `BFF memory after GC: RSS ${mb(before.rss)} → ${mb(after.rss)}, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} ` +
        `(growth ${mb(heapGrowth)}, limit ${mb(HEAP_GROWTH_LIMIT_BYTES)}): ${flat ? 'PASS' : 'FAIL'}`,
    );
    failed ||= !soakRow.pass || !flat;
  } finally {
    await bff.close();
    await sandbox.close();
  }
  if (failed) process.exitCode = 1;
}

await main();
