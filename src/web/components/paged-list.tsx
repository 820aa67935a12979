import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import { localDateStamp } from '../lib/dates.ts';
import type { PagedList } from '../lib/use-paged-list.ts';
import { CsvExport } from './csv-export.tsx';
import type { CsvColumn } from './csv-export.tsx';
import { EmptyState, ErrorState, ListSkeleton } from './list-states.tsx';
import { PagingControls } from './paging-controls.tsx';
import { SelectionToolbar } from './selection-toolbar.tsx';
import type { TsvColumn } from './selection-toolbar.tsx';

/** What to do with the rows: copy the selected ones, or export them or everything the filters match as CSV. */
export function PagedListToolbar<Row>({
  list,
  noun,
  columns,
  tsv,
}: {
  list: PagedList<Row>;
  /** Plural, lower case: "users", "invitations" (also the file name's start). */
  noun: string;
  columns: readonly CsvColumn<Row>[];
  tsv: readonly TsvColumn<Row>[];
}) {
  return (
    <Stack
      direction={{ xs: 'column', md: 'row' }}
      spacing={2}
      sx={{ justifyContent: 'space-between', alignItems: { md: 'flex-start' } }}
    >
      <SelectionToolbar
        selected={list.selection.selected}
        columns={tsv}
        scope={`${list.scope}\n${[...list.selection.keys].join(',')}`}
        onClear={list.selection.clear}
      />
      <CsvExport
        noun={noun}
        columns={columns}
        fileName={() => `${noun}-${localDateStamp()}`}
        fetchPage={list.exportPage}
        selected={list.selection.selected}
        matching={list.result.isSuccess ? list.total : undefined}
      />
    </Stack>
  );
}

/**
 * A paged list's states, in one place for every list: loading, a failure, nothing matching the filters, a page past
 * the last, nothing at all; then the rows (the table is the caller's) and the paging controls.
 */
export function PagedListBody<Row>({
  list,
  noun,
  noMatches,
  empty,
  children,
}: {
  list: PagedList<Row>;
  /** Plural, lower case: "users", "invitations". */
  noun: string;
  /** Nothing matches the filters (or a later page is empty). */
  noMatches: { title: string; hint: string };
  /** Nothing at all yet. */
  empty: ReactNode;
  children: ReactNode;
}) {
  const { result, rows, paging } = list;
  return (
    <>
      {result.isPending ? <ListSkeleton label={`Loading ${noun}…`} /> : null}
      {result.isError ? (
        <ErrorState
          title={`The ${noun} could not be loaded.`}
          error={result.error}
          onRetry={() => void result.refetch()}
          retrying={result.isFetching}
        />
      ) : null}
      {result.isSuccess && rows.length === 0 && paging.page > 1 && list.total > 0 ? (
        <Alert
          severity="warning"
          action={
            <Button color="inherit" size="small" variant="outlined" onClick={list.firstPage}>
              First page
            </Button>
          }
        >
          There is no page {paging.page}: the list now has {list.pageCount} page
          {list.pageCount === 1 ? '' : 's'}.
        </Alert>
      ) : null}
      {result.isSuccess && rows.length === 0 && !(paging.page > 1 && list.total > 0) ? (
        list.filtered ? (
          <EmptyState
            title={noMatches.title}
            action={
              <Button variant="contained" onClick={list.clearFilters}>
                Clear filters
              </Button>
            }
          >
            {noMatches.hint}
          </EmptyState>
        ) : (
          empty
        )
      ) : null}
      {rows.length > 0 ? (
        <Stack spacing={1}>
          {result.isFetching ? <LinearProgress aria-label={`Loading ${noun}`} /> : null}
          {children}
        </Stack>
      ) : null}
      {result.isSuccess ? (
        <PagingControls
          noun={noun}
          page={paging.page}
          pageCount={list.pageCount}
          limit={paging.limit}
          onPage={list.goToPage}
          onLimit={list.setPageSize}
        />
      ) : null}
    </>
  );
}
