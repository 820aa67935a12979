// What an invite costs the BFF at the least, whatever the code around it: the pieces of `npm run bench:bff`'s floor.
//   - `startFloorProxy`: the thinnest Node server that makes an invite's network round trip (node:http in, one undici
//     call to the same upstream, the JSON read and written back): no framework, session, validation, database or log.
//   - `measureDurableWrites`: the two commits an invite must make (the idempotency claim with its pending audit record
//     before Avara is called, then the stored answer with the audit completion), through the BFF's own stores, alone.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createSqliteAuditStore } from '../../src/server/store/audit.ts';
import { openDatabase } from '../../src/server/store/database.ts';
import { createSqliteIdempotencyStore } from '../../src/server/store/idempotency.ts';

export interface FloorProxy {
  url: string;
  close(): Promise<void>;
}

/** POST /api/users → POST {upstream}/v1/viewer/users with the API key, answered with Avara's status and JSON. */
export async function startFloorProxy(upstreamUrl: string, apiKey: string): Promise<FloorProxy> {
  const upstream = new Pool(upstreamUrl, { connections: 16 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const input: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const answer = await upstream.request({
            path: '/v1/viewer/users',
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
          const body: unknown = await answer.body.json();
          res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        } catch {
          res.writeHead(502).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

/** CPU microseconds (this process) per invite's two durable commits, averaged over `invites`, in a fresh database. */
export async function measureDurableWrites(invites: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-bench-writes-'));
  const db = openDatabase(dataDir);
  try {
    const keys = createSqliteIdempotencyStore(db);
    const audit = createSqliteAuditStore(db);
    const operatorId = randomUUID();
    const answer = JSON.stringify({
      userId: randomUUID(),
      firstName: 'Bench',
      lastName: 'Person',
      email: 'bench@clinic.example',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: false,
    });
    const invite = async (n: number) => {
      const ref = { operatorId, key: randomUUID(), claimId: randomUUID() };
      let auditId = 0;
      const at = Date.now();
      await keys.begin(
        { ...ref, fingerprint: 'f'.repeat(43), now: at, ttlMs: 86_400_000, leaseMs: 60_000 },
        () => {
          void audit
            .append({
              at,
              operatorId,
              operatorEmail: 'operator@clinic.example',
              action: 'user.invite',
              targetEmail: `bench-${n}@clinic.example`,
              requestId: `req-${n}`,
              outcome: 'pending',
            })
            .then((id) => (auditId = id));
        },
      );
      await keys.complete(ref, { status: 201, body: answer }, Date.now(), () => {
        void audit.complete(auditId, { outcome: 'success', upstreamStatus: 201, at: Date.now() });
      });
    };
    for (let n = 0; n < Math.min(1000, invites); n += 1) await invite(n);
    const before = process.cpuUsage();
    for (let n = 0; n < invites; n += 1) await invite(n);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / invites;
  } finally {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
