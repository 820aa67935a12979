import { useEffect, useRef, useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { copyText, toTsvLines } from '../lib/clipboard.ts';
import { CopyIcon } from './icons.tsx';

/** A selected person, as it is copied: their email and userId. */
export interface SelectedPerson {
  email: string;
  userId: string;
}

/**
 * What to do with the selected rows: copy them as `email<TAB>userId` lines (they paste into a spreadsheet as two
 * columns, or into a ticket as a list), or clear the selection. The outcome is shown and announced.
 */
export function SelectionToolbar({
  selected,
  onClear,
}: {
  selected: readonly SelectedPerson[];
  onClear: () => void;
}) {
  const [message, setMessage] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const count = selected.length;

  const copy = async () => {
    clearTimeout(timer.current);
    const text = toTsvLines(selected.map((person) => [person.email, person.userId]));
    const copied = await copyText(text);
    setMessage(
      copied
        ? `Copied ${count} ${count === 1 ? 'row' : 'rows'} (email and userId, separated by a tab).`
        : 'Could not copy. Try again, or copy the ids one by one.',
    );
    timer.current = setTimeout(() => setMessage(''), 8000);
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
        {message}
      </Typography>
    </Stack>
  );
}
