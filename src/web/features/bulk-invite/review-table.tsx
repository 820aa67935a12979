import { memo, useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { IdCell } from '../../components/truncated-text.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { visuallyHidden } from '../../components/visually-hidden.ts';
import type { RowIssue } from './cells.ts';
import type { ColumnMapping } from './columns.ts';
import { columnName } from './column-settings.tsx';
import type { ReviewRow, RowStatus } from './review.ts';

/**
 * The review: one line per row of the sheet with its state and why, virtualised (only the rows in view are in the
 * page, so 1,000 rows scroll as smoothly as 10). A row can be edited in place (its cells, checked again on Save) or
 * removed.
 */

const STATE_TEXT: Record<RowStatus['kind'], string> = {
  ready: 'Ready',
  fix: 'Needs a fix',
  skip: 'Will be skipped',
  checking: 'Checking…',
  unchecked: 'Not checked',
};

const STATE_COLOR: Record<RowStatus['kind'], string> = {
  ready: 'success.main',
  fix: 'error.main',
  skip: 'text.secondary',
  checking: 'text.secondary',
  unchecked: 'warning.main',
};

export interface VisibleRow {
  row: ReviewRow;
  status: RowStatus;
}

const cellOf = (row: ReviewRow, mapping: ColumnMapping, field: string) => {
  const index = mapping.findIndex((mapped) => mapped === field);
  return index === -1 ? '' : (row.cells[index] ?? '').trim();
};

function personName(row: ReviewRow, mapping: ColumnMapping): string {
  if (row.check.ok) return `${row.check.invite.firstName} ${row.check.invite.lastName}`;
  const name = [cellOf(row, mapping, 'firstName'), cellOf(row, mapping, 'lastName')]
    .filter(Boolean)
    .join(' ');
  return name === '' ? '(no name)' : name;
}

function StateCell({ status, name }: { status: RowStatus; name: string }) {
  return (
    <Stack spacing={0.5} sx={{ minWidth: 0 }}>
      <Typography variant="body2" sx={{ fontWeight: 600, color: STATE_COLOR[status.kind] }}>
        {STATE_TEXT[status.kind]}
      </Typography>
      {status.kind === 'fix' ? (
        <Box component="ul" sx={{ m: 0, pl: 2.5, typography: 'body2' }}>
          {status.issues.map((issue: RowIssue) => (
            <li key={`${issue.field ?? ''}${issue.message}`}>{issue.message}</li>
          ))}
        </Box>
      ) : null}
      {status.kind === 'skip' ? <Typography variant="body2">{status.message}</Typography> : null}
      {status.kind === 'skip' && status.userId !== undefined ? (
        <IdCell value={status.userId} label="userId" of={name} />
      ) : null}
      {status.kind === 'unchecked' ? (
        <Typography variant="body2">Could not check whether this person already exists.</Typography>
      ) : null}
    </Stack>
  );
}

/** The row's cells as inputs, each labelled by its column; Save checks the row again. */
function RowEditor({
  row,
  header,
  issues,
  mapping,
  onSave,
  onCancel,
}: {
  row: ReviewRow;
  header: readonly string[];
  issues: readonly RowIssue[];
  mapping: ColumnMapping;
  onSave: (cells: string[]) => void;
  onCancel: () => void;
}) {
  const [cells, setCells] = useState(row.cells);
  const first = useRef<HTMLInputElement>(null);
  // The first cell with a problem takes the focus (else the first cell).
  const focusColumn = Math.max(
    0,
    issues.reduce((found, issue) => {
      if (found !== -1 || issue.field === null) return found;
      return mapping.indexOf(issue.field);
    }, -1),
  );
  useEffect(() => first.current?.focus(), []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onCancel();
    }
  };
  return (
    <Box
      component="form"
      aria-label={`Edit line ${row.line}`}
      noValidate
      onKeyDown={onKeyDown}
      onSubmit={(event) => {
        event.preventDefault();
        onSave(cells);
      }}
      sx={{ py: 1 }}
    >
      <Box
        sx={{
          display: 'grid',
          gap: 1.5,
          gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(auto-fill, minmax(200px, 1fr))' },
        }}
      >
        {header.map((_, index) => {
          const field = mapping[index];
          const issue = issues.find((candidate) => field !== null && candidate.field === field);
          return (
            <TextInput
              key={index}
              size="small"
              label={columnName(header, index)}
              value={cells[index] ?? ''}
              error={issue !== undefined}
              helperText={issue?.message}
              inputRef={index === focusColumn ? first : undefined}
              onChange={(event) =>
                setCells((current) => current.map((cell, at) => (at === index ? event.target.value : cell)))
              }
            />
          );
        })}
      </Box>
      <Stack direction="row" spacing={1} sx={{ mt: 1.5 }}>
        <Button type="submit" variant="contained" size="small">
          Save and check line {row.line}
        </Button>
        <Button size="small" onClick={onCancel}>
          Cancel
        </Button>
      </Stack>
    </Box>
  );
}

const ReviewLine = memo(function ReviewLine({
  row,
  status,
  mapping,
  editing,
  onEdit,
  onRemove,
}: {
  row: ReviewRow;
  status: RowStatus;
  mapping: ColumnMapping;
  editing: boolean;
  onEdit: (id: number) => void;
  onRemove: (id: number) => void;
}) {
  const name = personName(row, mapping);
  const email = row.check.ok ? row.check.invite.email : cellOf(row, mapping, 'email');
  const role = row.check.ok ? row.check.invite.clinicRole : cellOf(row, mapping, 'clinicRole');
  const access = row.check.ok
    ? [
        row.check.invite.level === 'admin' ? 'Admin' : 'Member',
        row.check.invite.hasDashboardAccess ? 'dashboard' : null,
        row.check.invite.canManageStudies ? 'studies' : null,
      ]
        .filter(Boolean)
        .join(', ')
    : '';
  return (
    <>
      <td>{row.line}</td>
      <td>
        <StateCell status={status} name={name} />
      </td>
      <td>
        <Typography variant="body2" sx={{ fontWeight: 500 }}>
          {name}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
          {email === '' ? '(no e-mail)' : email}
        </Typography>
      </td>
      <td>
        <Typography variant="body2">{role}</Typography>
        <Typography variant="body2" color="text.secondary">
          {access}
        </Typography>
      </td>
      <td>
        <Stack direction="row" spacing={0.5}>
          <Button
            size="small"
            onClick={() => onEdit(row.id)}
            aria-label={`Edit line ${row.line}`}
            aria-expanded={editing}
            data-row-action={`edit-${row.id}`}
          >
            Edit
          </Button>
          <Button
            size="small"
            color="error"
            onClick={() => onRemove(row.id)}
            aria-label={`Remove line ${row.line}`}
          >
            Remove
          </Button>
        </Stack>
      </td>
    </>
  );
});

const TABLE_STYLE = {
  width: '100%',
  minWidth: 720,
  borderCollapse: 'collapse',
  tableLayout: 'fixed',
  '& th': {
    position: 'sticky',
    top: 0,
    zIndex: 1,
    bgcolor: 'background.paper',
    textAlign: 'left',
    typography: 'body2',
    fontWeight: 600,
    px: 1.5,
    py: 1,
    borderBottom: 1,
    borderColor: 'divider',
  },
  '& td': {
    px: 1.5,
    py: 1,
    verticalAlign: 'top',
    borderBottom: 1,
    borderColor: 'divider',
    typography: 'body2',
  },
} as const;

/** The table of rows; `rows` are the ones the filter shows. */
export function ReviewTable({
  rows,
  header,
  mapping,
  onEditRow,
  onRemoveRow,
}: {
  rows: readonly VisibleRow[];
  header: readonly string[];
  mapping: ColumnMapping;
  onEditRow: (id: number, cells: string[]) => void;
  onRemoveRow: (id: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [editing, setEditing] = useState<number | null>(null);
  // The virtualizer's functions change with every scroll: this component reads them itself and memoises nothing on them.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 72,
    overscan: 8,
    getItemKey: (index) => rows[index]?.row.id ?? index,
    // Layout-free environments (tests) still get a screenful.
    initialRect: { width: 1000, height: 640 },
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  const focusEdit = (id: number) =>
    requestAnimationFrame(() => {
      const button = scroller.current?.querySelector<HTMLButtonElement>(`[data-row-action="edit-${id}"]`);
      (button ?? scroller.current)?.focus();
    });

  const remove = (id: number) => {
    if (editing === id) setEditing(null);
    onRemoveRow(id);
    scroller.current?.focus();
  };

  return (
    <Box
      ref={scroller}
      tabIndex={0}
      role="region"
      aria-label="Rows of the sheet"
      sx={{
        maxHeight: { xs: '70vh', sm: 640 },
        overflow: 'auto',
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
        '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: 2 },
      }}
    >
      <Box component="table" sx={TABLE_STYLE} aria-rowcount={rows.length + 1}>
        <colgroup>
          <col style={{ width: 64 }} />
          <col style={{ width: '34%' }} />
          <col style={{ width: '26%' }} />
          <col style={{ width: '20%' }} />
          <col style={{ width: 160 }} />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">Line</th>
            <th scope="col">State</th>
            <th scope="col">Person</th>
            <th scope="col">Role and access</th>
            <th scope="col">
              <Box component="span" sx={visuallyHidden}>
                Actions
              </Box>
            </th>
          </tr>
        </thead>
        <tbody>
          {before > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={5} style={{ height: before, padding: 0, border: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const visible = rows[item.index];
            if (visible === undefined) return null;
            const { row, status } = visible;
            const isEditing = editing === row.id;
            return (
              <tr
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                aria-rowindex={item.index + 2}
              >
                {isEditing ? (
                  <td colSpan={5}>
                    <Typography variant="body2" sx={{ fontWeight: 600 }}>
                      Line {row.line}: {STATE_TEXT[status.kind]}
                    </Typography>
                    <RowEditor
                      row={row}
                      header={header}
                      mapping={mapping}
                      issues={status.kind === 'fix' ? status.issues : []}
                      onSave={(cells) => {
                        setEditing(null);
                        onEditRow(row.id, cells);
                        focusEdit(row.id);
                      }}
                      onCancel={() => {
                        setEditing(null);
                        focusEdit(row.id);
                      }}
                    />
                  </td>
                ) : (
                  <ReviewLine
                    row={row}
                    status={status}
                    mapping={mapping}
                    editing={false}
                    onEdit={setEditing}
                    onRemove={remove}
                  />
                )}
              </tr>
            );
          })}
          {after > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={5} style={{ height: after, padding: 0, border: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </Box>
      {rows.length === 0 ? (
        <Typography sx={{ p: 2 }} color="text.secondary">
          No rows to show.
        </Typography>
      ) : null}
    </Box>
  );
}
