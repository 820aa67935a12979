// `npm run bench:cluster`: Viewer Admin as a hospital runs it, under load. Through nginx (TLS, deploy/nginx.conf) at
// 50 connections for 60 s, three lists (GET /api/users?limit=100) to one invite (POST /api/users, a fresh e-mail and
// Idempotency-Key each), against:
//   - one instance on SQLite (the embedded default), and
//   - two instances sharing one PostgreSQL database (DATABASE_URL),
// each with the sandbox in a process of its own, and 50 operators (one per connection, within the per-operator limit
// at its default). For each: req/s, p50/p99 latency, errors (transport errors, timeouts, non-2xx answers: must be 0),
// invites answered 201 against the people Avara has afterwards (as many, plus at most those cut off when a run
// ended, when none was sent twice), CPU milliseconds per
// request of each instance (its process's CPU time over the requests nginx gave it), PostgreSQL's CPU per request and
// its share of the servers' CPU. Exit code 1 when an error or a duplicate is seen.
// Options (environment): BENCH_SECONDS (default 60), BENCH_CONNECTIONS (default 50).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import type { AutocannonRequest } from 'autocannon';
import { request } from 'undici';
import * as z from 'zod/mini';
import { UserPageSchema } from '../../src/contract/users.ts';
import type { InviteUserInput } from '../../src/contract/users.ts';
import { startCluster } from '../support/cluster.ts';
import type { Cluster } from '../support/cluster.ts';
import { TEST_OPERATOR } from '../support/test-operator.ts';
import { startChild } from './child.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SECONDS = 5;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const ResultSchema = z.object({
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  latency: z.object({ p50: z.number(), p99: z.number() }),
  requests: z.object({ average: z.number(), total: z.number() }),
});

let people = 0;
function person(): InviteUserInput {
  people += 1;
  return {
    firstName: 'Load',
    lastName: `Person ${people}`,
    email: `load-${people}-${randomBytes(4).toString('hex')}@clinic.example`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
  };
}

/** CPU time (ms) a process has used so far, from /proc (user + system). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** The PostgreSQL server's processes: the postmaster and its children (backends, writers). */
function postgresPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** CPU of processes that may come and go (PostgreSQL's backends): the total over those alive at both reads. */
function cpuOfAll(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      used.set(pid, cpuMs(pid));
    } catch {
      // Gone meanwhile.
    }
  }
  return used;
}

function delta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** A call through nginx; the session cookie it set (when it set one) and its JSON answer. */
async function call(
  cluster: Cluster,
  path: string,
  body: unknown,
  cookie?: string,
): Promise<{ cookie: string | undefined; json: unknown }> {
  const answer = await request(`${cluster.url}${path}`, {
    method: 'POST',
    dispatcher: cluster.dispatcher,
    headers: {
      'content-type': 'application/json',
      'x-csrf': '1',
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: JSON.stringify(body),
  });
  const text = await answer.body.text();
  if (answer.statusCode >= 300) throw new Error(`POST ${path} answered ${answer.statusCode}: ${text}`);
  const set = /(__Host-va_session=[^;]+)/.exec(String(answer.headers['set-cookie']))?.[1];
  return { cookie: set, json: JSON.parse(text) };
}

const AddedSchema = z.object({ initialPassword: z.string() });

/**
 * One operator per connection, as many people would be, each signed in and past the first-password change, so each
 * stays within the per-operator limit at its default (600 a minute). Returns their session cookies.
 */
async function signInOperators(cluster: Cluster, count: number): Promise<string[]> {
  const admin = (await call(cluster, '/api/session', TEST_OPERATOR)).cookie;
  const cookies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `load-operator-${i}@clinic.example`;
    const added = await call(
      cluster,
      '/api/operators',
      { email, displayName: `Load operator ${i}`, role: 'inviter' },
      admin,
    );
    const { initialPassword } = AddedSchema.parse(added.json);
    const first = (await call(cluster, '/api/session', { email, password: initialPassword })).cookie;
    const newPassword = `load operator password ${i} ${randomBytes(4).toString('hex')}`;
    const changed = await call(
      cluster,
      '/api/session/password',
      { currentPassword: initialPassword, newPassword },
      first,
    );
    if (!changed.cookie) throw new Error('Changing the first password set no session cookie.');
    cookies.push(changed.cookie);
  }
  return cookies;
}

/** Every user Avara has now, by e-mail (the sandbox's list, walked page by page). */
async function avaraEmails(sandboxUrl: string, apiKey: string): Promise<string[]> {
  const emails: string[] = [];
  let cursor: string | null | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await request(`${sandboxUrl}/v1/viewer/users?${query.toString()}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const page = UserPageSchema.parse(await answer.body.json());
    emails.push(...page.users.map((user) => user.email));
    cursor = page.hasMore ? page.cursor : undefined;
  } while (cursor);
  return emails;
}

function run(cluster: Cluster, cookies: string[], seconds: number) {
  // Each connection is one operator: it takes the next cookie the first time it sends.
  let next = 0;
  const sessionOf = (context: Record<string, unknown>): Record<string, string> => {
    if (typeof context.cookie !== 'string') {
      context.cookie = cookies[next % cookies.length] ?? '';
      next += 1;
    }
    return { cookie: String(context.cookie), 'x-csrf': '1' };
  };
  const list = {
    method: 'GET',
    path: '/api/users?limit=100',
    setupRequest: (req: AutocannonRequest, context: Record<string, unknown>) => ({
      ...req,
      headers: sessionOf(context),
    }),
  };
  return autocannon({
    url: cluster.url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      list,
      list,
      list,
      {
        method: 'POST',
        path: '/api/users',
        setupRequest: (req, context) => ({
          ...req,
          headers: {
            ...sessionOf(context),
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify(person()),
        }),
      },
    ],
  });
}

interface Figures {
  name: string;
  reqPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /**
   * Invites answered 201, those cut off by the end of a run, and the people Avara has from this run: between the
   * first and the sum when none was sent twice.
   */
  invites: number;
  cutOff: number;
  created: number;
  duplicates: number;
  instances: { name: string; requests: number; cpuMsPerRequest: number }[];
  postgres?: { cpuMsPerRequest: number; share: number };
}

async function measure(name: string, database: 'sqlite' | 'postgres', instances: number): Promise<Figures> {
  let sandboxKey = '';
  const cluster = await startCluster({
    database,
    instances,
    env: { LOG_LEVEL: 'info' },
    startSandbox: async ({ apiKey }) => {
      const sandbox = await startChild({ role: 'sandbox', apiKey });
      sandboxKey = apiKey;
      return sandbox;
    },
  });
  try {
    const cookies = await signInOperators(cluster, CONNECTIONS);
    await run(cluster, cookies, WARMUP_SECONDS);
    const countedFrom = cluster.balanced().length;
    const postmaster = cluster.postgres ? cluster.postgres.postmasterPid() : undefined;
    const pgPids = postmaster === undefined ? [] : postgresPids(postmaster);
    const instancePids = cluster.instances.map((instance) => instance.child.process.pid ?? 0);
    const before = instancePids.map(cpuMs);
    const pgBefore = cpuOfAll(pgPids);
    const result = ResultSchema.parse(await run(cluster, cookies, SECONDS));
    const after = instancePids.map(cpuMs);
    const pgAfter = cpuOfAll(postmaster === undefined ? [] : postgresPids(postmaster));
    const balanced = cluster.balanced().slice(countedFrom);
    const perInstance = cluster.instances.map((instance, index) => {
      const requests = balanced.filter((entry) => entry.upstream === `127.0.0.1:${instance.port}`).length;
      return {
        name: instance.name,
        requests,
        cpuMsPerRequest: ((after[index] ?? 0) - (before[index] ?? 0)) / Math.max(1, requests),
      };
    });
    // Invites answered, and those still on their way when a run ended (nginx logs 499: the client left; the instance
    // still finishes them, so Avara may have those people too).
    const posts = cluster
      .balanced()
      .filter((entry) => entry.method === 'POST' && entry.path === '/api/users');
    const invites = posts.filter((entry) => entry.status === 201).length;
    const cutOff = posts.filter((entry) => entry.status === 499).length;
    const emails = (await avaraEmails(cluster.sandboxUrl, sandboxKey)).filter((email) =>
      email.startsWith('load-'),
    );
    const duplicates = emails.length - new Set(emails).size;
    const bffCpu = after.reduce((sum, ms, index) => sum + ms - (before[index] ?? 0), 0);
    const pgCpu = delta(pgBefore, pgAfter);
    return {
      name,
      reqPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      invites,
      cutOff,
      created: emails.length,
      duplicates,
      instances: perInstance,
      ...(postmaster === undefined
        ? {}
        : {
            postgres: {
              cpuMsPerRequest: pgCpu / Math.max(1, result.requests.total),
              share: pgCpu / Math.max(1, pgCpu + bffCpu),
            },
          }),
    };
  } finally {
    await cluster.close();
  }
}

async function main() {
  console.log(
    `Through nginx (TLS), ${CONNECTIONS} connections for ${SECONDS} s, 3 lists (GET /api/users?limit=100) : 1 invite`,
  );
  const all = [
    await measure('SQLite, one instance', 'sqlite', 1),
    await measure('PostgreSQL, two instances', 'postgres', 2),
  ];
  let failed = false;
  console.log(
    '\n| setup | req/s | p50 ms | p99 ms | errors | invites answered / people at Avara (same e-mail twice) | CPU ms/request per instance | PostgreSQL CPU ms/request (share) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---|---|');
  for (const f of all) {
    failed ||= f.errors > 0 || f.duplicates > 0 || f.created < f.invites || f.created > f.invites + f.cutOff;
    const instances = f.instances
      .map((i) => `${i.name}: ${i.cpuMsPerRequest.toFixed(2)} (${i.requests} requests)`)
      .join(', ');
    const pg = f.postgres
      ? `${f.postgres.cpuMsPerRequest.toFixed(2)} (${(f.postgres.share * 100).toFixed(0)} %)`
      : '-';
    console.log(
      `| ${f.name} | ${f.reqPerSecond.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.errors} | ${f.invites} (+${f.cutOff} cut off) / ${f.created} (${f.duplicates}) | ${instances} | ${pg} |`,
    );
  }
  console.log(
    failed
      ? '\nFAIL: errors, or more (or fewer) people at Avara than invites sent'
      : '\nPASS: no errors; one person at Avara per invite',
  );
  process.exitCode = failed ? 1 : 0;
}

await main();
