import { useEffect, useRef, useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { copyText, toTsvLines } from '../lib/clipboard.ts';
import { CopyIcon } from './icons.tsx';

/** The columns "Copy as TSV" puts on each line, in order: a header for the message, and the value. */
export interface TsvColumn<Row> {
  header: string;
  value: (row: Row) => string;
}

function listOf(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

/**
 * What to do with the selected rows: copy them as tab-separated lines (`email<TAB>userId`…: they paste into a
 * spreadsheet as columns, or into a ticket as a list), or clear the selection. The outcome is shown and announced,
 * and goes away when the selection or the filters change (`scope`): it would speak of other rows.
 */
export function SelectionToolbar<Row>({
  selected,
  columns,
  scope,
  onClear,
}: {
  selected: readonly Row[];
  columns: readonly TsvColumn<Row>[];
  /** The filters and the selection (its keys): the message is about them. */
  scope: string;
  onClear: () => void;
}) {
  const count = selected.length;
  const about = scope;
  const [message, setMessage] = useState<{ text: string; about: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const shown = message !== null && message.about === about ? message.text : '';

  const copy = async () => {
    clearTimeout(timer.current);
    const text = toTsvLines(selected.map((row) => columns.map((column) => column.value(row))));
    const copied = await copyText(text);
    const what = listOf(columns.map((column) => column.header));
    setMessage({
      about,
      text: copied
        ? `Copied ${count} ${count === 1 ? 'row' : 'rows'} (${what}, separated by a tab).`
        : 'Could not copy. Try again, or copy the ids one by one.',
    });
    timer.current = setTimeout(() => setMessage(null), 8000);
  };

  return (
    <Stack
      direction="row"
      spacing={1}
      sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}
      role="group"
      aria-label="Selected rows"
    >
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {count === 0 ? 'No rows selected' : `${count} selected`}
      </Typography>
      <Button
        variant="outlined"
        size="small"
        startIcon={<CopyIcon />}
        disabled={count === 0}
        onClick={() => void copy()}
      >
        Copy as TSV
      </Button>
      {count > 0 ? (
        <Button size="small" color="inherit" onClick={onClear}>
          Clear selection
        </Button>
      ) : null}
      <Typography role="status" aria-live="polite" variant="body2" sx={{ color: 'text.secondary' }}>
        {shown}
      </Typography>
    </Stack>
  );
}
