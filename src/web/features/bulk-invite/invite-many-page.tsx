import { useEffect, useId, useMemo, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { SelectField } from '../../components/select-field.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { Link, useNavigate } from '../../lib/routing.tsx';
import { useCreateBulkInvite } from './api.ts';
import { ColumnMappingSection, RoleQuestionsSection, RowDefaultsSection } from './column-settings.tsx';
import { batchRows, canSend } from './review.ts';
import type { ReviewCounts, RowStatus } from './review.ts';
import { ReviewTable } from './review-table.tsx';
import type { VisibleRow } from './review-table.tsx';
import { SheetInput } from './sheet-input.tsx';
import type { Sheet } from './sheet.ts';
import { useBulkReview } from './use-bulk-review.ts';

/** Where a batch is followed (the batch screen). */
export const batchPath = (batchId: string) => `/invite-many/${encodeURIComponent(batchId)}`;

type Filter = 'all' | 'problems' | 'fix' | 'skip' | 'ready';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All rows' },
  { value: 'problems', label: 'Rows that need a fix or were not checked' },
  { value: 'fix', label: 'Rows that need a fix' },
  { value: 'skip', label: 'Rows that will be skipped' },
  { value: 'ready', label: 'Rows ready to invite' },
];
const isFilter = (value: string): value is Filter => FILTERS.some((filter) => filter.value === value);

function shows(filter: Filter, status: RowStatus): boolean {
  if (filter === 'all') return true;
  if (filter === 'problems') return status.kind === 'fix' || status.kind === 'unchecked';
  return status.kind === filter;
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function summary(counts: ReviewCounts): string {
  const parts = [
    plural(counts.ready, 'ready', 'ready'),
    plural(counts.fix, 'needs a fix', 'need a fix'),
    plural(counts.skip, 'will be skipped', 'will be skipped'),
  ];
  if (counts.checking > 0) parts.push(plural(counts.checking, 'being checked', 'being checked'));
  if (counts.unchecked > 0) parts.push(plural(counts.unchecked, 'not checked', 'not checked'));
  return parts.join(' · ');
}

function sendFailure(error: unknown): { title: string; detail: string; requestId?: string | undefined } {
  if (!(error instanceof ApiError)) return { title: 'The invitations were not sent.', detail: 'Try again.' };
  const fields = (error.problem.errors ?? []).map((field) => field.message).join(' ');
  return {
    title: error.problem.title,
    detail: [error.problem.detail, fields].filter(Boolean).join(' ') || 'Try again.',
    requestId: error.problem.requestId,
  };
}

/** The review of one sheet: columns, values for all rows, roles to confirm, every row's state, and Send. */
function BulkReviewPanel({
  sheet,
  source,
  onStartOver,
}: {
  sheet: Sheet;
  source: string;
  onStartOver: () => void;
}) {
  const review = useBulkReview(sheet);
  const [filter, setFilter] = useState<Filter>('all');
  // A row edited while a filter is on stays in view until the filter changes (its new state shows where it was).
  const [pinned, setPinned] = useState<ReadonlySet<number>>(() => new Set());
  const changeFilter = (next: Filter) => {
    setFilter(next);
    setPinned(new Set());
  };
  const editRow = (id: number, cells: string[]) => {
    setPinned((current) => new Set(current).add(id));
    review.editRow(id, cells);
  };
  // Reading the sheet replaced what had the focus: the line saying what was read takes it.
  const readLine = useRef<HTMLParagraphElement>(null);
  useEffect(() => readLine.current?.focus(), []);
  const [readyOnly, setReadyOnly] = useState(false);
  const create = useCreateBulkInvite();
  const navigate = useNavigate();
  const sendHintId = useId();
  const { counts } = review;

  const visible: VisibleRow[] = useMemo(
    () =>
      review.rows.flatMap((row, index) => {
        const status = review.statuses[index];
        return status !== undefined && (shows(filter, status) || pinned.has(row.id)) ? [{ row, status }] : [];
      }),
    [review.rows, review.statuses, filter, pinned],
  );

  const sendable = canSend(counts, readyOnly) && !create.isPending;
  let hint = '';
  if (counts.checking > 0) hint = 'Wait for every e-mail address to be checked.';
  else if (counts.ready === 0) hint = 'No row is ready to invite.';
  else if (!readyOnly && counts.fix + counts.unchecked > 0) {
    hint = `${plural(counts.fix + counts.unchecked, 'row needs', 'rows need')} a fix: fix ${counts.fix + counts.unchecked === 1 ? 'it' : 'them'}, remove ${counts.fix + counts.unchecked === 1 ? 'it' : 'them'}, or choose to send the ready rows only.`;
  }

  const send = async () => {
    if (!canSend(counts, readyOnly)) return;
    const { batchId } = await create.mutateAsync({
      columns: sheet.header,
      rows: batchRows(review.rows, review.statuses),
    });
    navigate(batchPath(batchId));
  };

  const failure = create.isError ? sendFailure(create.error) : null;

  return (
    <Stack spacing={4}>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography ref={readLine} tabIndex={-1} sx={{ outline: 'none' }}>
          Read {plural(sheet.rows.length, 'row', 'rows')} from {source}.
        </Typography>
        <Button variant="text" onClick={onStartOver}>
          Start over with other cells or another file
        </Button>
      </Stack>

      <ColumnMappingSection
        header={sheet.header}
        example={sheet.rows[0]?.cells}
        mapping={review.mapping}
        onMap={review.mapColumn}
      />
      <RowDefaultsSection defaults={review.defaults} onChange={review.setDefaults} mapping={review.mapping} />
      <RoleQuestionsSection
        questions={review.roleQuestions}
        decisions={review.decisions}
        onDecide={review.decideRole}
      />

      <Stack component="section" spacing={2} aria-labelledby="bulk-review-heading">
        <Typography id="bulk-review-heading" variant="h2">
          Check
        </Typography>
        <Typography role="status" aria-live="polite" data-testid="bulk-summary">
          {summary(counts)}
        </Typography>
        {counts.unchecked > 0 ? (
          <Alert
            severity="warning"
            action={
              <Button color="inherit" size="small" onClick={review.recheckFailed}>
                Check again
              </Button>
            }
          >
            {plural(counts.unchecked, 'e-mail address', 'e-mail addresses')} could not be checked against
            Avara.
          </Alert>
        ) : null}
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
          <Stack sx={{ width: { xs: '100%', sm: 360 } }}>
            <SelectField
              label="Show"
              value={filter}
              options={FILTERS}
              onChange={(value) => changeFilter(isFilter(value) ? value : 'all')}
            />
          </Stack>
          <Typography variant="body2" color="text.secondary">
            Showing {plural(visible.length, 'row', 'rows')} of {review.rows.length.toLocaleString('en-US')}.
          </Typography>
        </Stack>
        <ReviewTable
          rows={visible}
          header={sheet.header}
          mapping={review.mapping}
          onEditRow={editRow}
          onRemoveRow={review.removeRow}
        />
      </Stack>

      <Stack component="section" spacing={2} aria-labelledby="bulk-send-heading">
        <Typography id="bulk-send-heading" variant="h2">
          Send
        </Typography>
        <FormControlLabel
          control={<Checkbox checked={readyOnly} onChange={(event) => setReadyOnly(event.target.checked)} />}
          label="Send the ready rows only (rows that need a fix are left out and listed in the results)"
        />
        {failure ? (
          <Alert severity="error" role="alert">
            <AlertTitle>{failure.title}</AlertTitle>
            {failure.detail}
            {failure.requestId === undefined ? null : (
              <Typography variant="body2" sx={{ mt: 1 }}>
                Request id to quote: <code>{failure.requestId}</code>
              </Typography>
            )}
          </Alert>
        ) : null}
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
          <Button
            variant="contained"
            size="large"
            disabled={!sendable}
            loading={create.isPending}
            loadingPosition="start"
            aria-describedby={hint === '' ? undefined : sendHintId}
            onClick={() => void send().catch(() => undefined)}
          >
            {create.isPending ? 'Sending…' : `Send ${plural(counts.ready, 'invitation', 'invitations')}`}
          </Button>
          {hint === '' ? null : (
            <Typography id={sendHintId} variant="body2" color="text.secondary">
              {hint}
            </Typography>
          )}
        </Stack>
      </Stack>
    </Stack>
  );
}

/** Invite many: paste cells or choose a file, check every row (nothing is sent), then hand the batch to the BFF. */
export function InviteManyPage() {
  useDocumentTitle('Invite many');
  const [read, setRead] = useState<{ sheet: Sheet; source: string; round: number } | null>(null);
  const [round, setRound] = useState(0);

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Invite many">
        Paste cells from a spreadsheet or choose a .csv file. Every row is checked first; nothing is sent
        until you choose Send. To invite one person, use <Link to="/">Invite</Link>.
      </ScreenHeading>
      {read === null ? (
        <SheetInput
          onSheet={(sheet, source) => {
            setRound((current) => current + 1);
            setRead({ sheet, source, round: round + 1 });
          }}
        />
      ) : (
        <BulkReviewPanel
          key={read.round}
          sheet={read.sheet}
          source={read.source}
          onStartOver={() => setRead(null)}
        />
      )}
    </Stack>
  );
}
