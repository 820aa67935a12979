import { useEffect, useId, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { toCsv } from '../../contract/csv.ts';
import type { CsvValue } from '../../contract/csv.ts';
import { ApiError } from '../lib/api-client.ts';
import { downloadText } from '../lib/download.ts';
import { RequestIdNote } from './request-id.tsx';

export interface ExportPage<Row> {
  rows: readonly Row[];
  hasMore: boolean;
}

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvValue;
}

const MAX_RATE_LIMIT_WAITS = 5;
const MAX_WAIT_SECONDS = 60;

type ExportState =
  | { kind: 'idle' }
  | { kind: 'running'; rows: number; pages: number; waitingSeconds?: number | undefined }
  | { kind: 'done'; rows: number; fileName: string }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string; requestId: string | undefined };

class Cancelled extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Cancelled());
      },
      { once: true },
    );
  });
}

type CsvExportProps<Row> = {
  /** Plural, lower case: "users", "invitations". */
  noun: string;
  /** One page (1-based) of everything the current filter matches. */
  fetchPage: (page: number, signal: AbortSignal) => Promise<ExportPage<Row>>;
  /** The rows chosen with the checkboxes: when there are any, the export asks which to save. */
  selected?: readonly Row[];
  /** How many rows the filter matches (for "All matching (M)"). */
  matching?: number;
  columns: readonly CsvColumn<Row>[];
  /** Without the extension: "users-2026-03-02". */
  fileName: () => string;
};

/**
 * Export everything the current filter matches, page after page, as one CSV file; with rows selected, first ask
 * whether to save just those ("Selected rows (N)", no request) or all matching. Progress is shown (and announced)
 * as it goes; Cancel stops it at once (the request in flight is aborted) and nothing is saved. A "slow down" from
 * the server pauses the export for as long as it asks, then it carries on.
 */
export function CsvExport<Row>({
  noun,
  fetchPage,
  columns,
  fileName,
  selected = [],
  matching,
}: CsvExportProps<Row>) {
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  // With rows selected, Export CSV first shows the choice: the selected rows, or all matching.
  const [choosing, setChoosing] = useState(false);
  const choiceId = useId();
  const controller = useRef<AbortController | null>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => () => controller.current?.abort(), []);

  // Keyboard focus follows the one useful button: Cancel while exporting, Export again after.
  const running = state.kind === 'running';
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current === running) return;
    wasRunning.current = running;
    const focused = document.activeElement;
    const lost = focused === null || focused === document.body;
    if (running && (lost || focused === exportButton.current)) cancelButton.current?.focus();
    if (!running && lost) exportButton.current?.focus();
  }, [running]);

  const save = (rows: readonly Row[]) => {
    const name = `${fileName()}.csv`;
    downloadText(
      name,
      toCsv(
        columns.map((column) => column.header),
        rows.map((row) => columns.map((column) => column.value(row))),
      ),
    );
    setState({ kind: 'done', rows: rows.length, fileName: name });
  };

  const run = async () => {
    const abort = new AbortController();
    controller.current = abort;
    const rows: Row[] = [];
    let pages = 0;
    let waits = 0;
    setState({ kind: 'running', rows: 0, pages: 0 });
    try {
      for (;;) {
        let page: ExportPage<Row>;
        try {
          page = await fetchPage(pages + 1, abort.signal);
        } catch (error) {
          if (abort.signal.aborted) throw new Cancelled();
          if (error instanceof ApiError && error.status === 429 && waits < MAX_RATE_LIMIT_WAITS) {
            waits += 1;
            const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, error.problem.retryAfter ?? 5));
            setState({ kind: 'running', rows: rows.length, pages, waitingSeconds: seconds });
            await sleep(seconds * 1000, abort.signal);
            continue;
          }
          throw error;
        }
        rows.push(...page.rows);
        pages += 1;
        setState({ kind: 'running', rows: rows.length, pages });
        if (!page.hasMore || page.rows.length === 0) break;
      }
      save(rows);
    } catch (error) {
      if (error instanceof Cancelled || abort.signal.aborted) {
        setState({ kind: 'cancelled' });
      } else {
        const detail =
          error instanceof ApiError
            ? (error.problem.detail ?? error.problem.title)
            : 'Try again in a moment.';
        setState({
          kind: 'failed',
          message: `The export stopped. ${detail}`,
          requestId: error instanceof ApiError ? error.requestId : undefined,
        });
      }
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  };

  let message = '';
  if (state.kind === 'running') {
    message =
      state.waitingSeconds === undefined
        ? `Exporting… ${state.rows} ${noun} so far (${state.pages} page${state.pages === 1 ? '' : 's'}).`
        : `Exporting… ${state.rows} ${noun} so far. The server asked to slow down: carrying on in ${state.waitingSeconds} s.`;
  } else if (state.kind === 'done') {
    message = `Exported ${state.rows} ${noun} to ${state.fileName}.`;
  } else if (state.kind === 'cancelled') {
    message = 'Export cancelled. No file was saved.';
  }

  return (
    <Stack spacing={1} sx={{ minWidth: 0 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Button
          ref={exportButton}
          variant="outlined"
          onClick={() => (selected.length > 0 ? setChoosing(!choosing) : void run())}
          disabled={running}
          {...(selected.length > 0 ? { 'aria-expanded': choosing, 'aria-controls': choiceId } : {})}
        >
          Export CSV
        </Button>
        {choosing && selected.length > 0 && !running ? (
          <Stack
            id={choiceId}
            role="group"
            aria-label="Which rows to export"
            direction="row"
            spacing={1}
            sx={{ flexWrap: 'wrap', rowGap: 1 }}
          >
            <Button
              size="small"
              variant="outlined"
              onClick={() => {
                setChoosing(false);
                save(selected);
              }}
            >
              Selected rows ({selected.length})
            </Button>
            <Button
              size="small"
              variant="outlined"
              onClick={() => {
                setChoosing(false);
                void run();
              }}
            >
              {matching === undefined ? 'All matching' : `All matching (${matching})`}
            </Button>
          </Stack>
        ) : null}
        {running ? (
          <Button ref={cancelButton} color="inherit" onClick={() => controller.current?.abort()}>
            Cancel export
          </Button>
        ) : null}
      </Stack>
      {running ? <LinearProgress aria-label={`Exporting ${noun}`} /> : null}
      <Typography role="status" aria-live="polite" variant="body2" sx={{ color: 'text.secondary' }}>
        {message}
      </Typography>
      {state.kind === 'failed' ? (
        <Alert severity="error" role="alert">
          {state.message}
          <RequestIdNote requestId={state.requestId} />
        </Alert>
      ) : null}
    </Stack>
  );
}
