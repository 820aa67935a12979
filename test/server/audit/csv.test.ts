import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader, csvRow } from '../../../src/server/audit/csv.ts';

describe('audit CSV', () => {
  it('quotes every cell and doubles quotes', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(502)).toBe('"502"');
  });

  it('defuses values a spreadsheet would run as formulas', () => {
    for (const evil of ['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      expect(csvCell(evil).startsWith(`"'`)).toBe(true);
    }
  });

  it('writes a header and one CRLF-terminated row per record', () => {
    expect(csvHeader()).toMatch(/^"time","operator email",.*"detail"\r\n$/);
    const row = csvRow({
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
    });
    expect(row).toBe(
      '"2026-01-01T00:00:00.000Z","dana@clinic.org","opr_1","user.invite","success","201","usr_1",,,"new@clinic.org","192.0.2.7","req-1","line, with ""quotes"""\r\n',
    );
  });
});
