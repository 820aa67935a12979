import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditUnavailableError, createAuditTrail } from '../../../src/server/audit/audit-trail.ts';
import { CLI_ACTOR, runOperatorCommand, type CommandIo } from '../../../src/server/auth/operator-commands.ts';
import {
  SelfDisableError,
  createOperatorService,
  type OperatorService,
} from '../../../src/server/auth/operator-service.ts';
import { TEST_PASSWORD_COST, createPasswordHasher } from '../../../src/server/auth/password.ts';
import { hashSessionId, newSessionId } from '../../../src/server/store/sessions.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

const hasher = createPasswordHasher(TEST_PASSWORD_COST);
let store: Store;
let service: OperatorService;

function capture(promptAnswers?: string[]): CommandIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const answers = promptAnswers ? [...promptAnswers] : undefined;
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    promptPassword: answers ? async () => answers.shift() ?? '' : undefined,
  };
}

async function signInSession(operatorId: string) {
  const idHash = hashSessionId(newSessionId());
  await store.sessions.create({
    idHash,
    operatorId,
    createdAt: 0,
    lastSeenAt: Date.now(),
    expiresAt: Date.now() + 1e6,
  });
  return idHash;
}

describe.each(STORE_BACKENDS)('with the $name store', (backend) => {
  beforeEach(async () => {
    store = await backend.open();
    service = createOperatorService({
      operators: store.operators,
      sessions: store.sessions,
      audit: createAuditTrail(store.audit),
      hasher,
    });
  });
  afterEach(() => store.close());

  describe('operator command line', () => {
    it('add generates a password (no terminal), prints it once, and requires a change at first sign-in', async () => {
      const io = capture();
      expect(await runOperatorCommand(['add', 'Jo@Clinic.org', '--name', 'Jo Smith'], service, io)).toBe(0);
      const printed =
        io.lines.join('\n').match(/Password \(shown once, write it down now\): (\S+)/)?.[1] ?? '';
      const operator = await store.operators.findByEmail('jo@clinic.org');
      expect(operator).toMatchObject({ displayName: 'Jo Smith', mustChangePassword: true, disabled: false });
      expect(await hasher.verify(printed, operator?.passwordHash ?? '')).toBe(true);
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record).toMatchObject({
        action: 'operator.add',
        outcome: 'success',
        operatorId: null,
        requestId: 'command-line',
        targetEmail: 'jo@clinic.org',
        targetOperatorId: operator?.id,
      });
      expect(JSON.stringify(record)).not.toContain(printed);
    });

    it('add takes a typed password when there is a terminal, and never prints it', async () => {
      const io = capture(['a typed password here', 'a typed password here']);
      expect(await runOperatorCommand(['add', 'kim@clinic.org'], service, io)).toBe(0);
      expect(io.lines.join('\n')).not.toContain('a typed password here');
      const operator = await store.operators.findByEmail('kim@clinic.org');
      expect(operator?.displayName).toBe('kim');
      expect(await hasher.verify('a typed password here', operator?.passwordHash ?? '')).toBe(true);
    });

    it('add refuses mismatched or short passwords, duplicates and bad emails', async () => {
      let io = capture(['a typed password here', 'something else entirely']);
      expect(await runOperatorCommand(['add', 'kim@clinic.org'], service, io)).toBe(1);
      expect(io.errors.join()).toMatch(/not the same/);
      io = capture(['short', 'short']);
      expect(await runOperatorCommand(['add', 'kim@clinic.org'], service, io)).toBe(1);
      expect(io.errors.join()).toMatch(/at least 12 characters/);
      expect(await store.operators.count()).toBe(0);
      expect(await runOperatorCommand(['add', 'kim@clinic.org'], service, capture())).toBe(0);
      io = capture();
      expect(await runOperatorCommand(['add', 'KIM@clinic.org'], service, io)).toBe(1);
      expect(io.errors.join()).toMatch(/already exists/);
      io = capture();
      expect(await runOperatorCommand(['add', 'not-an-email'], service, io)).toBe(2);
      expect(io.errors.join()).toMatch(/valid email/);
    });

    it('disable ends the operator’s sessions at once; enable lets them back', async () => {
      // An Inviter: the last active Administrator cannot be disabled (tested below).
      await runOperatorCommand(['add', 'jo@clinic.org', '--role', 'inviter'], service, capture());
      const jo = await store.operators.findByEmail('jo@clinic.org');
      const session = await signInSession(jo?.id ?? '');
      const io = capture();
      expect(await runOperatorCommand(['disable', 'jo@clinic.org'], service, io)).toBe(0);
      expect(io.lines.join()).toMatch(/Disabled jo@clinic.org/);
      expect((await store.operators.findByEmail('jo@clinic.org'))?.disabled).toBe(true);
      expect(await store.sessions.find(session)).toBeUndefined();
      expect(await runOperatorCommand(['enable', 'jo@clinic.org'], service, capture())).toBe(0);
      expect((await store.operators.findByEmail('jo@clinic.org'))?.disabled).toBe(false);
      const actions = (await store.audit.list({}, { limit: 10 })).map((r) => `${r.action}:${r.outcome}`);
      expect(actions).toEqual([
        'operator.enable:success',
        'operator.disable:success',
        'operator.add:success',
      ]);
    });

    it('reset-password sets a new password that must be changed, and ends sessions', async () => {
      await runOperatorCommand(['add', 'jo@clinic.org'], service, capture());
      const jo = await store.operators.findByEmail('jo@clinic.org');
      await store.operators.setPassword(jo?.id ?? '', 'scrypt$old', false);
      const session = await signInSession(jo?.id ?? '');
      const io = capture();
      expect(await runOperatorCommand(['reset-password', 'jo@clinic.org'], service, io)).toBe(0);
      const printed =
        io.lines.join('\n').match(/New password \(shown once, write it down now\): (\S+)/)?.[1] ?? '';
      const after = await store.operators.findByEmail('jo@clinic.org');
      expect(after?.mustChangePassword).toBe(true);
      expect(await hasher.verify(printed, after?.passwordHash ?? '')).toBe(true);
      expect(await store.sessions.find(session)).toBeUndefined();
    });

    it('list shows each operator and their state', async () => {
      await runOperatorCommand(['add', 'jo@clinic.org', '--name', 'Jo Smith'], service, capture());
      await runOperatorCommand(['add', 'kim@clinic.org'], service, capture());
      await runOperatorCommand(['disable', 'kim@clinic.org'], service, capture());
      const io = capture();
      expect(await runOperatorCommand(['list'], service, io)).toBe(0);
      expect(io.lines).toHaveLength(2);
      expect(io.lines[0]).toMatch(
        /^jo@clinic.org\tJo Smith\tmust change password\tcreated .*\tlast sign-in never\tAdministrator$/,
      );
      expect(io.lines[1]).toMatch(/^kim@clinic.org\tkim\tdisabled\t/);
    });

    it('add --role gives the role; set-role changes it, audited with the role before and after', async () => {
      const io = capture();
      expect(await runOperatorCommand(['add', 'vi@clinic.org', '--role', 'viewer'], service, io)).toBe(0);
      expect(io.lines[0]).toBe('Added vi@clinic.org (vi) as Viewer.');
      expect((await store.operators.findByEmail('vi@clinic.org'))?.role).toBe('viewer');
      const set = capture();
      expect(await runOperatorCommand(['set-role', 'vi@clinic.org', 'inviter'], service, set)).toBe(0);
      expect(set.lines).toEqual(['vi@clinic.org is now Inviter.']);
      expect((await store.operators.findByEmail('vi@clinic.org'))?.role).toBe('inviter');
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record).toMatchObject({
        action: 'operator.role-change',
        outcome: 'success',
        requestId: 'command-line',
      });
      expect(record?.changes).toEqual([{ field: 'operatorRole', from: 'viewer', to: 'inviter' }]);
      for (const bad of [
        ['add', 'x@clinic.org', '--role', 'owner'],
        ['set-role', 'vi@clinic.org', 'Administrator '],
        ['set-role', 'vi@clinic.org'],
        ['set-role', 'vi@clinic.org', 'viewer', 'more'],
        ['disable', 'vi@clinic.org', '--role', 'viewer'],
      ]) {
        const refused = capture();
        expect(await runOperatorCommand(bad, service, refused), bad.join(' ')).toBe(2);
        expect(refused.errors.join()).toMatch(/Usage:/);
      }
      expect((await store.operators.findByEmail('vi@clinic.org'))?.role).toBe('inviter');
    });

    it('the last active Administrator can be neither demoted nor disabled', async () => {
      await runOperatorCommand(['add', 'only@clinic.org'], service, capture());
      await runOperatorCommand(['add', 'helper@clinic.org', '--role', 'inviter'], service, capture());
      const io = capture();
      expect(await runOperatorCommand(['set-role', 'only@clinic.org', 'viewer'], service, io)).toBe(1);
      expect(io.errors.join()).toMatch(/last active Administrator/);
      expect(await runOperatorCommand(['disable', 'only@clinic.org'], service, capture())).toBe(1);
      const only = await store.operators.findByEmail('only@clinic.org');
      expect(only).toMatchObject({ role: 'administrator', disabled: false });
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record).toMatchObject({ action: 'operator.disable', outcome: 'failure' });
      // With a second Administrator the first may step down; a disabled Administrator does not count.
      await runOperatorCommand(['set-role', 'helper@clinic.org', 'administrator'], service, capture());
      expect(await runOperatorCommand(['set-role', 'only@clinic.org', 'viewer'], service, capture())).toBe(0);
      expect(await runOperatorCommand(['disable', 'helper@clinic.org'], service, capture())).toBe(1);
    });

    it('two demotions at once cannot both take away the last Administrators', async () => {
      for (let round = 0; round < 10; round += 1) {
        const a = await service.add({ email: `a${round}@clinic.org`, displayName: 'A' }, CLI_ACTOR);
        const b = await service.add({ email: `b${round}@clinic.org`, displayName: 'B' }, CLI_ACTOR);
        const others = (await store.operators.list()).filter(
          (o) => o.id !== a.operator.id && o.id !== b.operator.id && o.role === 'administrator',
        );
        for (const other of others) await service.setRole(other.id, 'viewer', CLI_ACTOR);
        const results = await Promise.allSettled([
          service.setRole(a.operator.id, 'viewer', CLI_ACTOR),
          service.setRole(b.operator.id, 'inviter', CLI_ACTOR),
          service.setDisabled(a.operator.id, true, CLI_ACTOR),
          service.setDisabled(b.operator.id, true, CLI_ACTOR),
        ]);
        expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(1);
        const admins = (await store.operators.list()).filter(
          (o) => o.role === 'administrator' && !o.disabled,
        );
        expect(admins).toHaveLength(1);
      }
    });

    it('answers unknown commands, unknown operators and bad options with usage and a non-zero code', async () => {
      let io = capture();
      expect(await runOperatorCommand(['frobnicate'], service, io)).toBe(2);
      expect(io.errors.join()).toMatch(/Unknown command: frobnicate[\s\S]*Usage:/);
      io = capture();
      expect(await runOperatorCommand(['disable', 'ghost@clinic.org'], service, io)).toBe(1);
      expect(io.errors.join()).toMatch(/no operator/);
      expect(await runOperatorCommand(['list', '--bogus'], service, capture())).toBe(2);
      expect(await runOperatorCommand(['disable', 'a@b.org', '--name', 'x'], service, capture())).toBe(2);
      expect(await runOperatorCommand([], service, capture())).toBe(2);
      io = capture();
      expect(await runOperatorCommand(['--help'], service, io)).toBe(0);
      expect(io.lines.join()).toMatch(/reset-password/);
    });
  });

  describe('operator service', () => {
    it('an operator cannot disable themselves', async () => {
      const { operator } = await service.add(
        { email: 'jo@clinic.org', displayName: 'Jo' },
        {
          operatorId: null,
          operatorEmail: null,
          requestId: null,
        },
      );
      await expect(
        service.setDisabled(operator.id, true, {
          operatorId: operator.id,
          operatorEmail: operator.email,
          requestId: 'r',
        }),
      ).rejects.toThrow(SelfDisableError);
      expect((await store.operators.findById(operator.id))?.disabled).toBe(false);
    });

    it('refuses the change when the audit record cannot be written', async () => {
      const failing = createOperatorService({
        operators: store.operators,
        sessions: store.sessions,
        audit: createAuditTrail({
          append: () => Promise.reject(new Error('disk full')),
          complete: () => Promise.resolve(),
          list: () => Promise.resolve([]),
          keysOf: () => Promise.resolve({ invitationIds: [], emails: [] }),
        }),
        hasher,
      });
      await expect(
        failing.add(
          { email: 'jo@clinic.org', displayName: 'Jo' },
          { operatorId: null, operatorEmail: null, requestId: null },
        ),
      ).rejects.toThrow(AuditUnavailableError);
      expect(await store.operators.count()).toBe(0);
      const io = capture();
      expect(await runOperatorCommand(['add', 'jo@clinic.org'], failing, io)).toBe(1);
      expect(io.errors.join()).toMatch(/activity log cannot be written/);
    });

    it('records a failure when the change itself fails after the audit record was written', async () => {
      await service.add(
        { email: 'jo@clinic.org', displayName: 'Jo' },
        { operatorId: null, operatorEmail: null, requestId: null },
      );
      await expect(
        service.add(
          { email: 'jo@clinic.org', displayName: 'Jo' },
          { operatorId: null, operatorEmail: null, requestId: null },
        ),
      ).rejects.toThrow(/already exists/);
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record).toMatchObject({
        action: 'operator.add',
        outcome: 'failure',
        detail: expect.stringMatching(/already exists/),
      });
    });
  });
});

describe('npm run operator (the real entry point)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'va-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds and lists operators in DATA_DIR’s database', async () => {
    const run = promisify(execFile);
    const tsx = path.resolve('node_modules/.bin/tsx');
    const env = { ...process.env, DATA_DIR: dataDir };
    const added = await run(
      tsx,
      ['src/server/operator-cli.ts', 'add', 'cli@clinic.org', '--name', 'Cli Person'],
      {
        env,
      },
    );
    expect(added.stdout).toMatch(
      /Added cli@clinic.org \(Cli Person\) as Administrator\.\nPassword \(shown once/,
    );
    const listed = await run(tsx, ['src/server/operator-cli.ts', 'list'], { env });
    expect(listed.stdout).toMatch(/^cli@clinic.org\tCli Person\tmust change password/);
    await expect(
      run(tsx, ['src/server/operator-cli.ts', 'enable', 'ghost@clinic.org'], { env }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no operator/),
    });
  });
});
