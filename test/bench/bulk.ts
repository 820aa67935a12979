// `npm run bench:bulk`: the bulk invite against the sandbox through a real BFF, each in its own child process
// (bench-child.ts). Measures:
//   - the check (dry run) of BENCH_BULK_ROWS rows (default 500): calls of 50 addresses to POST /api/invites/check, one
//     after another as the browser sends them; target ≤ 3 s for 500;
//   - the same in Chromium: the rows pasted into Invite many, from pressing Check to the review table complete (every
//     row ready); target ≤ 3 s for 500;
//   - sending them as one batch at the default concurrency (UPSTREAM_MAX_CONCURRENT 8, so 7 rows at a time): the time
//     from POST /api/bulk-invites to the batch finished, following it with ?since= as the browser does; target ≤ 60 s;
//   - duplicates: invites of the same address that reached the sandbox (its request log); target 0;
//   - the BFF's RSS growth over the send (after a GC before, at its peak during); target ≤ 50 MB.
// Exit code 1 when a target is missed (the time targets are judged only at the full 500 rows).
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import * as z from 'zod/mini';
import {
  BulkBatchSchema,
  BulkBatchSummarySchema,
  INVITE_CHECK_MAX,
  InviteCheckResultSchema,
} from '../../src/contract/bulk.ts';
import type { BulkRowInput } from '../../src/contract/bulk.ts';
import type { InviteUserInput } from '../../src/contract/users.ts';
import { RequestLogSchema } from '../../src/sandbox/fault.ts';
import { ensureSpaBuilt } from '../../src/dev-tools.ts';
import { launchBrowser, signInBrowser } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import { startChild } from './child.ts';

const ROWS = Number(process.env.BENCH_BULK_ROWS ?? 500);
const FULL_SIZE = 500;
const TARGET_CHECK_MS = 3_000;
const TARGET_SEND_MS = 60_000;
const TARGET_RSS_GROWTH_BYTES = 50 * 1024 * 1024;
const POLL_MS = 250;

async function call(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  const response = await request(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    json: text === '' ? null : JSON.parse(text),
    headers: response.headers,
  };
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

function rows(count: number): BulkRowInput[] {
  const tag = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, index) => {
    const invite: InviteUserInput = {
      firstName: 'Bulk',
      lastName: `Person ${index + 1}`,
      email: `bulk-${tag}-${index + 1}@clinic.example`,
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: false,
      canManageStudies: true,
    };
    return { line: index + 2, cells: [invite.firstName, invite.lastName, invite.email], invite };
  });
}

/** Invite many in Chromium: `count` new people pasted, then the time from Check to every row reviewed as ready. */
async function reviewInBrowser(bffUrl: string, count: number): Promise<number> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    await signInBrowser(context, bffUrl, TEST_OPERATOR);
    const page = await context.newPage();
    await page.goto(`${bffUrl}/invite-many`);
    const box = page.getByRole('textbox', { name: /Cells copied from Excel/ });
    await box.waitFor();
    const tag = randomBytes(4).toString('hex');
    const people = Array.from(
      { length: count },
      (_, index) => `Review\tPerson ${index + 1}\treview-${tag}-${index + 1}@clinic.example\tRadiologist`,
    );
    await box.fill(['First name\tLast name\tEmail\tRole', ...people].join('\n'));
    const started = performance.now();
    await page.getByRole('button', { name: 'Check the pasted cells' }).click();
    await page
      .getByTestId('bulk-summary')
      .filter({ hasText: `${count.toLocaleString('en-US')} ready · 0 need a fix · 0 will be skipped` })
      .waitFor({ timeout: 120_000 });
    return performance.now() - started;
  } finally {
    await browser.close();
  }
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

async function main() {
  const apiKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const sandbox = await startChild({ role: 'sandbox', apiKey, faultInjection: true });
  const staticDir = await ensureSpaBuilt(process.cwd());
  const bff = await startChild({
    role: 'bff',
    apiKey,
    upstreamUrl: sandbox.url,
    logLevel: 'info',
    staticDir,
  });
  let failed = false;
  try {
    const headers = await bffSession(bff.url);
    const batchRows = rows(ROWS);

    // The check, as the browser sends it: 50 addresses a call, one call after another.
    const checkStarted = performance.now();
    for (let at = 0; at < batchRows.length; at += INVITE_CHECK_MAX) {
      const emails = batchRows.slice(at, at + INVITE_CHECK_MAX).map((row) => row.invite?.email ?? '');
      const answer = await call(`${bff.url}/api/invites/check`, 'POST', headers, { emails });
      if (answer.status !== 200) throw new Error(`The check answered ${answer.status}.`);
      const { results } = InviteCheckResultSchema.parse(answer.json);
      if (results.some((result) => result.existing !== null))
        throw new Error('A new address was found existing.');
    }
    const checkMs = performance.now() - checkStarted;
    const reviewMs = await reviewInBrowser(bff.url, ROWS);

    // The send: one batch, followed to its end.
    const before = await bff.usage(true);
    const sendStarted = performance.now();
    const created = await call(
      `${bff.url}/api/bulk-invites`,
      'POST',
      { ...headers, 'idempotency-key': randomUUID() },
      { columns: ['First name', 'Last name', 'E-mail'], rows: batchRows },
    );
    if (created.status !== 201) throw new Error(`Creating the batch answered ${created.status}.`);
    const { batchId, version } = BulkBatchSummarySchema.parse(created.json);
    let since = version;
    let peakRss = before.rss;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const answer = await call(`${bff.url}/api/bulk-invites/${batchId}?since=${since}`, 'GET', headers);
      const batch = BulkBatchSchema.parse(answer.json);
      since = batch.version;
      peakRss = Math.max(peakRss, (await bff.usage()).rss);
      if (batch.finishedAt !== null) {
        if (batch.counts.sent !== ROWS)
          throw new Error(`Only ${batch.counts.sent} of ${ROWS} rows were sent.`);
        break;
      }
    }
    const sendMs = performance.now() - sendStarted;
    const after = await bff.usage();
    const growth = Math.max(peakRss, after.rss) - before.rss;

    // Duplicates, counted where they would land: invites of one address that reached the sandbox more than once.
    const log = RequestLogSchema.parse(
      (await call(`${sandbox.url}/__sandbox/requests`, 'GET', { authorization: `Bearer ${apiKey}` })).json,
    );
    const posted = new Map<string, number>();
    for (const entry of log.requests) {
      if (entry.method !== 'POST' || entry.path !== '/v1/viewer/users') continue;
      const email = z.object({ email: z.string() }).parse(entry.body).email;
      posted.set(email, (posted.get(email) ?? 0) + 1);
    }
    const duplicates = [...posted.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const missing = batchRows.filter((row) => !posted.has(row.invite?.email ?? '')).length;

    const full = ROWS >= FULL_SIZE;
    const lines: [string, string, string, boolean][] = [
      [
        `check of ${ROWS} rows (${Math.ceil(ROWS / INVITE_CHECK_MAX)} calls)`,
        `${(checkMs / 1000).toFixed(2)} s`,
        '≤ 3 s at 500',
        !full || checkMs <= TARGET_CHECK_MS,
      ],
      [
        `review of ${ROWS} pasted rows in Chromium (Check to table complete)`,
        `${(reviewMs / 1000).toFixed(2)} s`,
        '≤ 3 s at 500',
        !full || reviewMs <= TARGET_CHECK_MS,
      ],
      [
        `send of ${ROWS} rows`,
        `${(sendMs / 1000).toFixed(2)} s`,
        '≤ 60 s at 500',
        !full || sendMs <= TARGET_SEND_MS,
      ],
      ['duplicates (sandbox)', String(duplicates), '0', duplicates === 0 && missing === 0],
      ['BFF RSS growth', mb(growth), '≤ 50 MB', growth <= TARGET_RSS_GROWTH_BYTES],
    ];
    console.log(`\nBulk invite, ${ROWS} rows (sandbox and BFF in child processes)\n`);
    console.log('| measure | result | target | |');
    console.log('| --- | ---: | ---: | --- |');
    for (const [name, result, target, pass] of lines) {
      console.log(`| ${name} | ${result} | ${target} | ${pass ? 'PASS' : 'FAIL'} |`);
      if (!pass) failed = true;
    }
    if (missing > 0) console.log(`${missing} addresses never reached the sandbox.`);
  } finally {
    await bff.close();
    await sandbox.close();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
