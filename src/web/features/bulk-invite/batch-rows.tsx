import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { BulkRow, RowState } from '../../../contract/bulk.ts';
import { MONOSPACE } from '../../components/id-copy.tsx';
import { IdCell } from '../../components/truncated-text.tsx';
import { ROW_STATE_LABELS } from './batch-results.ts';

/** Up to this many rows, every row is in the page (the keyboard and find-in-page reach them all); more are virtual. */
export const VIRTUAL_FROM_ROWS = 200;
const ROW_ESTIMATE_PX = 72;

const STATE_COLORS: Record<RowState, 'default' | 'info' | 'success' | 'error' | 'warning'> = {
  waiting: 'default',
  sending: 'info',
  sent: 'success',
  failed: 'error',
  skipped: 'warning',
  cancelled: 'default',
};

const HEADERS = ['Line', 'Email', 'Result', 'userId or message', 'Action'] as const;

/** Wide: five columns. Narrow (phone): each row a stack of its cells, each with its header in front. */
const rowLayout = {
  display: 'grid',
  gridTemplateColumns: {
    xs: 'minmax(0, 1fr)',
    md: '4rem minmax(0, 3fr) 10rem minmax(0, 4fr) 11rem',
  },
  columnGap: 2,
  rowGap: 0.5,
  alignItems: 'start',
  px: 2,
  py: 1,
  borderBottom: 1,
  borderColor: 'divider',
} as const;

type RowsProps = {
  rows: readonly BulkRow[];
  /** Correct and send a failed row again; absent when the batch no longer sends (cancelled). */
  onRetry: ((row: BulkRow) => void) | undefined;
};

/**
 * Each row's outcome as it happens: an ARIA table (rows and cells in a CSS grid), so it reflows on a phone and can be
 * virtualised for a thousand rows (aria-rowcount and aria-rowindex tell a screen reader where it is).
 */
export function BatchRows({ rows, onRetry }: RowsProps) {
  return (
    <Paper
      variant="outlined"
      role="table"
      aria-label="Results by row"
      aria-rowcount={rows.length + 1}
      sx={{ minWidth: 0, overflowWrap: 'anywhere' }}
    >
      <Box role="rowgroup" sx={{ display: { xs: 'none', md: 'block' } }}>
        <Box role="row" aria-rowindex={1} sx={{ ...rowLayout, py: 1.5 }}>
          {HEADERS.map((header) => (
            <Typography key={header} role="columnheader" variant="body2" sx={{ fontWeight: 600 }}>
              {header}
            </Typography>
          ))}
        </Box>
      </Box>
      {rows.length > VIRTUAL_FROM_ROWS ? (
        <VirtualRows rows={rows} onRetry={onRetry} />
      ) : (
        <Box role="rowgroup">
          {rows.map((row) => (
            <ResultRow key={row.index} row={row} onRetry={onRetry} />
          ))}
        </Box>
      )}
    </Paper>
  );
}

/** The rows in view (and a few either side) of the page's own scrolling. */
function VirtualRows({ rows, onRetry }: RowsProps) {
  const group = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // Where the list starts in the page; it moves when what is above it changes height (the page's body resizes).
  useLayoutEffect(() => {
    const measure = () => {
      const top = (group.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
      setScrollMargin((known) => (Math.abs(top - known) >= 1 ? top : known));
    };
    measure();
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    observer?.observe(document.body);
    return () => observer?.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_ESTIMATE_PX,
    // A row is never zero pixels tall: such a measure (a row not laid out yet) keeps the estimate.
    measureElement: (element) => element.getBoundingClientRect().height || ROW_ESTIMATE_PX,
    overscan: 10,
    scrollMargin,
    getItemKey: (position) => rows[position]?.index ?? position,
  });
  return (
    <Box role="rowgroup" ref={group} sx={{ position: 'relative', height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((item) => {
        const row = rows[item.index];
        return row === undefined ? null : (
          <Box
            key={item.key}
            ref={virtualizer.measureElement}
            data-index={item.index}
            sx={{ position: 'absolute', top: 0, left: 0, width: '100%' }}
            style={{ transform: `translateY(${item.start - scrollMargin}px)` }}
          >
            <ResultRow row={row} onRetry={onRetry} />
          </Box>
        );
      })}
    </Box>
  );
}

function Cell({ header, children }: { header: (typeof HEADERS)[number]; children: ReactNode }) {
  return (
    <Box role="cell" sx={{ minWidth: 0, typography: 'body2' }}>
      {/* On a phone the header row is hidden: each cell says what it is (a screen reader has the column header). */}
      <Box
        component="span"
        aria-hidden="true"
        sx={{ display: { xs: 'inline', md: 'none' }, color: 'text.secondary', mr: 1 }}
      >
        {header}:
      </Box>
      {children}
    </Box>
  );
}

/** One row; memoised, since a poll replaces only the rows that changed. */
const ResultRow = memo(function ResultRow({
  row,
  onRetry,
}: {
  row: BulkRow;
  onRetry: ((row: BulkRow) => void) | undefined;
}) {
  const who = row.email ?? `line ${row.line}`;
  return (
    <Box role="row" aria-rowindex={row.index + 2} sx={rowLayout}>
      <Cell header="Line">{row.line}</Cell>
      <Cell header="Email">{row.email ?? '—'}</Cell>
      <Cell header="Result">
        <Chip
          size="small"
          label={ROW_STATE_LABELS[row.state]}
          color={STATE_COLORS[row.state]}
          variant="outlined"
        />
      </Cell>
      <Cell header="userId or message">
        <RowOutcome row={row} who={who} />
      </Cell>
      <Cell header="Action">
        {row.state === 'failed' && row.invite !== null && onRetry !== undefined ? (
          <Button
            size="small"
            variant="outlined"
            onClick={() => onRetry(row)}
            aria-label={`Correct and retry ${who}`}
          >
            Correct and retry
          </Button>
        ) : null}
      </Cell>
    </Box>
  );
});

function RowOutcome({ row, who }: { row: BulkRow; who: string }) {
  return (
    <>
      {row.message === null ? null : <Box component="span">{row.message}</Box>}
      {row.userId === null ? null : <IdCell value={row.userId} label="userId" of={who} />}
      {row.requestId === null || row.state !== 'failed' ? null : (
        <Typography variant="caption" component="p" color="text.secondary">
          Request id to quote:{' '}
          <Box component="code" sx={{ fontFamily: MONOSPACE }}>
            {row.requestId}
          </Box>
        </Typography>
      )}
    </>
  );
}
