import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { csvHeader, csvRow } from '../../../src/server/audit/csv.ts';

const RECORD: AuditRecord = {
  id: '1',
  at: '2026-01-01T00:00:00.000Z',
  operatorId: 'opr_1',
  operatorEmail: 'dana@clinic.org',
  action: 'user.invite',
  targetUserId: 'usr_1',
  targetInvitationId: null,
  targetOperatorId: null,
  targetEmail: 'new@clinic.org',
  requestId: 'req-1',
  outcome: 'success',
  upstreamStatus: 201,
  detail: 'line, with "quotes"',
  clientAddress: '192.0.2.7',
  changes: [],
  targetName: null,
};

describe('audit CSV', () => {
  it('writes a header and one CRLF-terminated row per record, every cell quoted, quotes doubled', () => {
    expect(csvHeader()).toMatch(
      /^"time","operator email",.*"client address","request id","detail","changes"\r\n$/,
    );
    expect(csvRow(RECORD)).toBe(
      '"2026-01-01T00:00:00.000Z","dana@clinic.org","opr_1","user.invite","success","201","usr_1",,,"new@clinic.org",,"192.0.2.7","req-1","line, with ""quotes""",\r\n',
    );
  });

  it('writes what an edit changed in the last column, each change for an administrator', () => {
    const row = csvRow({
      ...RECORD,
      action: 'user.update',
      changes: [
        { field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' },
        { field: 'middleName', from: 'Marie', to: null },
        { field: 'hasDashboardAccess', from: 'false', to: 'true' },
        { field: 'level', from: 'member', to: 'admin' },
      ],
    });
    expect(
      row.endsWith(
        ',"Role: Radiologist → Cardiologist; Middle name: Marie → (empty); Dashboard access: No → Yes; Level: Member → Admin"\r\n',
      ),
    ).toBe(true);
  });

  it('names the person the record is about', () => {
    expect(csvHeader()).toContain('"target email","person","client address"');
    expect(csvRow({ ...RECORD, targetName: 'Sarah Johnson' })).toContain(
      '"new@clinic.org","Sarah Johnson","192.0.2.7"',
    );
  });

  it('defuses values a spreadsheet would run as formulas', () => {
    for (const evil of ['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      const row = csvRow({ ...RECORD, targetEmail: evil, detail: evil });
      expect(row.split(',').filter((cell) => cell.startsWith(`"'`)).length).toBeGreaterThanOrEqual(2);
    }
  });
});
