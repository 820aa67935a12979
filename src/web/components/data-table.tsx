import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import type { Theme } from '@mui/material/styles';

export interface Column<Row> {
  key: string;
  header: string;
  render: (row: Row) => ReactNode;
  /** Keep the cell on one line (dates, short labels). */
  nowrap?: boolean;
  /** A minimum width for the column, so long values wrap instead of squeezing it. */
  minWidth?: number;
}

type DataTableProps<Row> = {
  /** The table's accessible name: "Users, newest first". */
  label: string;
  rows: readonly Row[];
  /** The first column: on a phone it is the card's title. */
  title: Column<Row>;
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  /** Who the row is about, for the checkbox: "Select Sarah M. Johnson". */
  rowName: (row: Row) => string;
  selected: ReadonlySet<string>;
  onSelect: (rows: readonly Row[], selected: boolean) => void;
  /** A newer page is loading over this one. */
  busy?: boolean;
};

/** Below the `md` breakpoint (900 px) a table is too wide to read: each row becomes a card. */
export function useNarrowScreen(): boolean {
  return useMediaQuery((theme: Theme) => theme.breakpoints.down('md'), { noSsr: true });
}

/**
 * A selectable table: a checkbox per row plus "select all on this page". On a wide screen a real table (whose region
 * scrolls sideways on its own when it is still too wide, never the page); on a phone, a list of cards with the same
 * content, headers as labels.
 */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const narrow = useNarrowScreen();
  return narrow ? <CardList {...props} /> : <WideTable {...props} />;
}

function SelectAll<Row>({ rows, rowKey, selected, onSelect }: DataTableProps<Row>) {
  const chosen = rows.filter((row) => selected.has(rowKey(row))).length;
  return (
    <Checkbox
      checked={rows.length > 0 && chosen === rows.length}
      indeterminate={chosen > 0 && chosen < rows.length}
      disabled={rows.length === 0}
      onChange={(event) => onSelect(rows, event.target.checked)}
      slotProps={{ input: { 'aria-label': 'Select all on this page' } }}
    />
  );
}

function SelectRow<Row>({ row, props }: { row: Row; props: DataTableProps<Row> }) {
  return (
    <Checkbox
      checked={props.selected.has(props.rowKey(row))}
      onChange={(event) => props.onSelect([row], event.target.checked)}
      slotProps={{ input: { 'aria-label': `Select ${props.rowName(row)}` } }}
    />
  );
}

function WideTable<Row>(props: DataTableProps<Row>) {
  const { label, rows, title, columns, rowKey, busy = false } = props;
  const all = [title, ...columns];
  return (
    <TableContainer
      component={Paper}
      variant="outlined"
      // Scrolls sideways inside its own box when the screen is narrower than the table: focusable and named, so a
      // keyboard can scroll it too.
      tabIndex={0}
      role="region"
      aria-label={label}
      sx={{ overflowX: 'auto' }}
    >
      <Table
        size="small"
        aria-label={label}
        aria-busy={busy}
        sx={{ '& .MuiTableCell-root:not(.MuiTableCell-paddingCheckbox)': { px: 1 } }}
      >
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <SelectAll {...props} />
            </TableCell>
            {all.map((column) => (
              <TableCell key={column.key} scope="col" sx={{ whiteSpace: 'nowrap', fontWeight: 600 }}>
                {column.header}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={rowKey(row)} hover selected={props.selected.has(rowKey(row))}>
              <TableCell padding="checkbox">
                <SelectRow row={row} props={props} />
              </TableCell>
              {all.map((column) => (
                <TableCell
                  key={column.key}
                  sx={{
                    whiteSpace: column.nowrap ? 'nowrap' : undefined,
                    minWidth: column.minWidth,
                    verticalAlign: 'top',
                  }}
                >
                  {column.render(row)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function CardList<Row>(props: DataTableProps<Row>) {
  const { label, rows, title, columns, rowKey, busy = false } = props;
  return (
    <Stack spacing={1.5} sx={{ minWidth: 0 }}>
      <Stack direction="row" sx={{ alignItems: 'center' }}>
        <SelectAll {...props} />
        <Typography variant="body2">Select all on this page</Typography>
      </Stack>
      <Stack
        component="ul"
        aria-label={label}
        aria-busy={busy}
        spacing={1.5}
        sx={{ listStyle: 'none', m: 0, p: 0 }}
      >
        {rows.map((row) => (
          <Paper
            component="li"
            key={rowKey(row)}
            variant="outlined"
            sx={{ p: 1.5, minWidth: 0, overflowWrap: 'anywhere' }}
          >
            <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
              <Box sx={{ mt: -0.5, ml: -0.5 }}>
                <SelectRow row={row} props={props} />
              </Box>
              <Box sx={{ minWidth: 0, flex: 1, pt: 0.5 }}>{title.render(row)}</Box>
            </Stack>
            <Box
              component="dl"
              sx={{
                display: 'grid',
                gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 3fr)',
                columnGap: 1.5,
                rowGap: 0.75,
                m: 0,
                mt: 1,
                '& dt': { color: 'text.secondary', typography: 'body2' },
                '& dd': { m: 0, typography: 'body2', minWidth: 0 },
              }}
            >
              {columns.map((column) => (
                <Box key={column.key} sx={{ display: 'contents' }}>
                  <dt>{column.header}</dt>
                  <dd>{column.render(row)}</dd>
                </Box>
              ))}
            </Box>
          </Paper>
        ))}
      </Stack>
    </Stack>
  );
}
