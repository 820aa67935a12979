// deploy/viewer-admin.service, the unit docs/deploy.md gives: it runs what `npm run build` makes, and systemd reads it
// without a complaint. systemd-analyze is not on every machine; where it is missing, only that check is not made.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';

const REPO = resolve(import.meta.dirname, '../..');
const UNIT = join(REPO, 'deploy/viewer-admin.service');
const SYSTEMD_ANALYZE = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'systemd-analyze'))
  .find((file) => existsSync(file));

const ScriptsSchema = z.object({ scripts: z.record(z.string(), z.string()) });

/** `Key=value` lines of one [Section] of the unit. */
function section(name: string): Map<string, string> {
  const lines = readFileSync(UNIT, 'utf8').split('\n');
  const start = lines.indexOf(`[${name}]`);
  expect(start, `[${name}]`).toBeGreaterThanOrEqual(0);
  const entries = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('[')) break;
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1], match[2]);
  }
  return entries;
}

const scratch = mkdtempSync(join(tmpdir(), 'viewer-admin-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/viewer-admin.service', () => {
  it('starts the build the way npm run start:prod does, as its own user, stopped with SIGTERM', () => {
    const service = section('Service');
    const { scripts } = ScriptsSchema.parse(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')));
    const entry = /^node (\S+)$/.exec(scripts['start:prod'] ?? '')?.[1];
    expect(entry).toBe('dist/server/main.js');
    expect(service.get('ExecStart')).toBe(
      `/usr/bin/node ${join(service.get('WorkingDirectory') ?? '', entry ?? '')}`,
    );
    expect(service.get('User')).toBe('viewer-admin');
    // systemd's default stop signal is SIGTERM, which the server answers by finishing its requests.
    expect(service.has('KillSignal')).toBe(false);
    expect(Number(service.get('TimeoutStopSec'))).toBeGreaterThan(15);
    expect(section('Install').get('WantedBy')).toBe('multi-user.target');
  });

  it.runIf(SYSTEMD_ANALYZE !== undefined)('passes systemd-analyze verify with nothing to say', async () => {
    // verify judges a unit by its file name: give it the name it is installed under.
    const copy = join(scratch, 'viewer-admin.service');
    copyFileSync(UNIT, copy);
    const { stdout, stderr } = await promisify(execFile)(SYSTEMD_ANALYZE ?? '', ['verify', copy]);
    expect(`${stdout}${stderr}`).toBe('');
  });
});
