import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClinicRole } from '../../../contract/roles.ts';
import type { InviteField } from '../person/field-names.ts';
import { checkEmails } from './api.ts';
import { DEFAULT_ROW_VALUES, checkRow, roleKey } from './cells.ts';
import type { RoleDecisions, RowCheck, RowDefaults } from './cells.ts';
import { matchColumns, remapColumn } from './columns.ts';
import type { ColumnMapping } from './columns.ts';
import { LookupQueue } from './lookup-queue.ts';
import type { LookupOutcome } from './lookup-queue.ts';
import { countStatuses, reviewStatuses } from './review.ts';
import type { Lookup, ReviewRow } from './review.ts';
import { matchRole } from './role-match.ts';
import type { Sheet } from './sheet.ts';

/** A role cell that is not on the list and not yet decided: what it says, how many rows, and the nearest roles. */
export interface RoleQuestion {
  key: string;
  text: string;
  rows: number;
  suggestions: ClinicRole[];
}

interface EditableRow {
  id: number;
  line: number;
  cells: string[];
}

function applyOutcome(current: ReadonlyMap<string, Lookup>, outcome: LookupOutcome): Map<string, Lookup> {
  const next = new Map(current);
  if (outcome.kind === 'known') {
    for (const result of outcome.results)
      next.set(result.email.toLowerCase(), { kind: 'known', existing: result.existing });
  } else {
    for (const email of outcome.emails) next.set(email, { kind: 'failed' });
  }
  return next;
}

/** A row's last check, kept with its cells (the same array until the row is edited) and the settings it used. */
const lastCheck = new WeakMap<
  string[],
  { mapping: ColumnMapping; defaults: RowDefaults; decisions: RoleDecisions; check: RowCheck }
>();

function cachedCheck(
  cells: string[],
  mapping: ColumnMapping,
  defaults: RowDefaults,
  decisions: RoleDecisions,
): RowCheck {
  const last = lastCheck.get(cells);
  if (
    last !== undefined &&
    last.mapping === mapping &&
    last.defaults === defaults &&
    last.decisions === decisions
  ) {
    return last.check;
  }
  const check = checkRow(cells, mapping, defaults, decisions);
  lastCheck.set(cells, { mapping, defaults, decisions, check });
  return check;
}

/**
 * Everything the review of one sheet holds: the rows (edited, removed), how columns map to fields, the values for
 * rows without one, the roles the admin confirmed, and the e-mail lookups. Each row is checked again only when its
 * cells or what applies to every row change.
 */
export function useBulkReview(sheet: Sheet) {
  const [rows, setRows] = useState<EditableRow[]>(() =>
    sheet.rows.map((row, index) => ({ id: index, line: row.line, cells: row.cells })),
  );
  const [mapping, setMapping] = useState<ColumnMapping>(() => matchColumns(sheet.header));
  const [defaults, setDefaults] = useState<RowDefaults>(DEFAULT_ROW_VALUES);
  const [decisions, setDecisions] = useState<RoleDecisions>(() => new Map());
  const [lookups, setLookups] = useState<ReadonlyMap<string, Lookup>>(() => new Map());

  const reviewRows: ReviewRow[] = useMemo(
    () => rows.map((row) => ({ ...row, check: cachedCheck(row.cells, mapping, defaults, decisions) })),
    [rows, mapping, defaults, decisions],
  );

  const statuses = useMemo(() => reviewStatuses(reviewRows, lookups), [reviewRows, lookups]);
  const counts = useMemo(() => countStatuses(statuses), [statuses]);

  // Every address that checks out is looked up once; an edit that changes it looks the new one up.
  const queue = useRef<LookupQueue | null>(null);
  useEffect(() => {
    const created = new LookupQueue(checkEmails, (outcome) =>
      setLookups((current) => applyOutcome(current, outcome)),
    );
    queue.current = created;
    return () => {
      created.close();
      queue.current = null;
    };
  }, []);
  useEffect(() => {
    const fresh = new Set<string>();
    for (const row of reviewRows) {
      if (row.check.ok && !lookups.has(row.check.invite.email)) fresh.add(row.check.invite.email);
    }
    if (fresh.size === 0 || queue.current === null) return;
    const emails = [...fresh];
    setLookups((current) => {
      const next = new Map(current);
      for (const email of emails) next.set(email, { kind: 'pending' });
      return next;
    });
    queue.current.add(emails);
  }, [reviewRows, lookups]);

  const roleColumn = mapping.indexOf('clinicRole');
  const roleQuestions: RoleQuestion[] = useMemo(() => {
    if (roleColumn === -1) return [];
    const byKey = new Map<string, RoleQuestion>();
    for (const row of rows) {
      const text = (row.cells[roleColumn] ?? '').trim();
      if (text === '') continue;
      const key = roleKey(text);
      const known = byKey.get(key);
      if (known !== undefined) {
        known.rows += 1;
        continue;
      }
      if (decisions.has(key)) continue;
      const match = matchRole(text);
      if (match.kind === 'exact') continue;
      byKey.set(key, { key, text, rows: 1, suggestions: match.kind === 'suggest' ? match.suggestions : [] });
    }
    return [...byKey.values()];
  }, [rows, roleColumn, decisions]);

  const editRow = useCallback((id: number, cells: string[]) => {
    setRows((current) => current.map((row) => (row.id === id ? { ...row, cells } : row)));
  }, []);
  const removeRow = useCallback((id: number) => {
    setRows((current) => current.filter((row) => row.id !== id));
  }, []);
  const mapColumn = useCallback((index: number, field: InviteField | null) => {
    setMapping((current) => remapColumn(current, index, field));
  }, []);
  const decideRole = useCallback((key: string, role: ClinicRole | null) => {
    setDecisions((current) => {
      const next = new Map(current);
      if (role === null) next.delete(key);
      else next.set(key, role);
      return next;
    });
  }, []);
  const recheckFailed = useCallback(() => {
    setLookups((current) => new Map([...current].filter(([, lookup]) => lookup.kind !== 'failed')));
  }, []);

  return {
    rows: reviewRows,
    statuses,
    counts,
    mapping,
    mapColumn,
    defaults,
    setDefaults,
    decisions,
    decideRole,
    roleQuestions,
    editRow,
    removeRow,
    recheckFailed,
  };
}
