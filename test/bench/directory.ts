// `npm run bench:directory`: the directory at scale. A sandbox seeded with BENCH_DIRECTORY_PEOPLE people (default
// 10,000, as SANDBOX_SEED_PEOPLE) and a BFF, each in its own child process (bench-child.ts). Measures:
//   - a full refresh of an empty directory (POST /api/directory/refresh, then /status until it is done): seconds,
//     and the BFF's peak RSS during it; targets ≤ 30 s and ≤ 300 MB;
//   - search latency through HTTP: BENCH_DIRECTORY_QUERIES varied searches (default 300: first and last names and
//     parts of them, "last f", upper case, without accents, parts of e-mails, phone digits, ids), one after another,
//     GET /api/directory/people?q=…; p50 and p95 of the round trip; target p95 ≤ 20 ms.
// Exit code 1 when a target is missed (judged only at the full 10,000).
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { DirectoryFreshnessSchema, PeoplePageSchema } from '../../src/contract/directory.ts';
import type { User } from '../../src/contract/users.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import { startChild } from './child.ts';

const PEOPLE = Number(process.env.BENCH_DIRECTORY_PEOPLE ?? 10_000);
const QUERIES = Number(process.env.BENCH_DIRECTORY_QUERIES ?? 300);
const FULL_SIZE = 10_000;
const TARGET_REFRESH_MS = 30_000;
const TARGET_RSS_BYTES = 300 * 1024 * 1024;
const TARGET_SEARCH_P95_MS = 20;
const POLL_MS = 100;

async function call(url: string, method: 'GET' | 'POST', headers: Record<string, string>) {
  const response = await request(url, { method, headers });
  const text = await response.body.text();
  return { status: response.statusCode, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

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

const plain = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '');

/** Searches an administrator would type, drawn from the people in the directory (the same for the same people). */
function queriesFrom(people: readonly User[], count: number): string[] {
  const pick = (i: number) => people[(i * 7919) % people.length];
  const makers: ((u: User) => string | undefined)[] = [
    (u) => u.lastName,
    (u) => u.firstName,
    (u) => `${u.firstName} ${u.lastName}`,
    (u) => `${u.lastName} ${u.firstName.slice(0, 1)}`,
    (u) => u.firstName.toUpperCase(),
    (u) => plain(u.lastName).toLowerCase(),
    (u) => u.lastName.slice(1, 5),
    (u) => u.email.split('@')[0]?.slice(2, 10),
    (u) => u.email,
    (u) => u.phoneNumber?.slice(3) ?? undefined,
    (u) => u.userId,
    (u) => u.userId.slice(4, 12),
  ];
  const queries: string[] = [];
  for (let i = 0; queries.length < count; i += 1) {
    const person = pick(i);
    const maker = makers[i % makers.length];
    const query = person && maker ? maker(person)?.trim() : undefined;
    if (query) queries.push(query);
  }
  return queries;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

async function main() {
  const apiKey = `sk_bench_${randomBytes(16).toString('hex')}`;
  const seedStarted = performance.now();
  const sandbox = await startChild({ role: 'sandbox', apiKey, seedPeople: PEOPLE });
  console.log(
    `Sandbox seeded with ${PEOPLE.toLocaleString('en-US')} people in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );
  const bff = await startChild({ role: 'bff', apiKey, upstreamUrl: sandbox.url, logLevel: 'info' });
  try {
    const headers = await bffSession(bff.url);

    // The full refresh of an empty directory.
    const before = await bff.usage(true);
    const started = performance.now();
    const asked = await call(`${bff.url}/api/directory/refresh`, 'POST', headers);
    if (asked.status !== 202) throw new Error(`The refresh answered ${asked.status}.`);
    let peakRss = before.rss;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const status = DirectoryFreshnessSchema.parse(
        (await call(`${bff.url}/api/directory/status`, 'GET', headers)).json,
      );
      peakRss = Math.max(peakRss, (await bff.usage()).maxRss);
      if (!status.refreshing) {
        if (status.lastError !== null) throw new Error(`The refresh failed: ${status.lastError}`);
        break;
      }
    }
    const refreshMs = performance.now() - started;
    const page = PeoplePageSchema.parse(
      (await call(`${bff.url}/api/directory/people?limit=1`, 'GET', headers)).json,
    );
    if (page.total !== PEOPLE) throw new Error(`The directory holds ${page.total} people, not ${PEOPLE}.`);

    // Search latency, one query after another as typed.
    const sample = PeoplePageSchema.parse(
      (await call(`${bff.url}/api/directory/people?limit=100&sort=name&page=3`, 'GET', headers)).json,
    ).people.map((p) => p.user);
    const queries = queriesFrom(sample, QUERIES);
    for (const q of queries.slice(0, 20))
      await call(`${bff.url}/api/directory/people?q=${encodeURIComponent(q)}`, 'GET', headers);
    const times: number[] = [];
    let empty = 0;
    for (const q of queries) {
      const t = performance.now();
      const answer = await call(`${bff.url}/api/directory/people?q=${encodeURIComponent(q)}`, 'GET', headers);
      times.push(performance.now() - t);
      if (answer.status !== 200) throw new Error(`Searching "${q}" answered ${answer.status}.`);
      if (PeoplePageSchema.parse(answer.json).total === 0) empty += 1;
    }
    if (empty > 0)
      throw new Error(`${empty} of the searches found nobody (each names someone in the directory).`);
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);

    const judged = PEOPLE >= FULL_SIZE;
    const verdict = (pass: boolean) => (judged ? (pass ? 'PASS' : 'FAIL') : 'not judged below 10,000');
    const refreshPass = refreshMs <= TARGET_REFRESH_MS;
    const rssPass = peakRss <= TARGET_RSS_BYTES;
    const searchPass = p95 <= TARGET_SEARCH_P95_MS;
    console.log(`\n| measure | value | target | |\n| --- | ---: | ---: | --- |`);
    console.log(
      `| full refresh of ${PEOPLE.toLocaleString('en-US')} people | ${(refreshMs / 1000).toFixed(1)} s | ≤ 30 s | ${verdict(refreshPass)} |`,
    );
    console.log(`| BFF peak RSS during it | ${mb(peakRss)} | ≤ 300 MB | ${verdict(rssPass)} |`);
    console.log(`| search p50 (${queries.length} queries, HTTP) | ${p50.toFixed(1)} ms | | |`);
    console.log(`| search p95 | ${p95.toFixed(1)} ms | ≤ 20 ms | ${verdict(searchPass)} |`);
    if (judged && !(refreshPass && rssPass && searchPass)) process.exitCode = 1;
  } finally {
    await bff.close();
    await sandbox.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
