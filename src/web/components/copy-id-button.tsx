import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCopy } from '../lib/use-copy.ts';
import type { CopyState } from '../lib/use-copy.ts';
import { CheckIcon, CopyIcon } from './icons.tsx';

const MESSAGES: Record<CopyState, string> = {
  idle: '',
  copied: 'Copied to the clipboard.',
  failed: 'Could not copy. Select the id and copy it by hand.',
};

/**
 * A button that copies an id. The confirmation is visible next to the button and announced by a polite live region
 * (the region is always in the page, so screen readers pick up the change).
 */
export function CopyIdButton({ value, label = 'userId' }: { value: string; label?: string }) {
  const { state, copy } = useCopy(value);

  // The name starts with the visible word, whichever it is now (WCAG 2.5.3: what is seen is what is spoken).
  const text = state === 'copied' ? 'Copied' : 'Copy';
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <Button
        variant="outlined"
        size="small"
        onClick={() => void copy()}
        aria-label={`${text} ${label}`}
        startIcon={state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      >
        {text}
      </Button>
      <Typography
        role="status"
        aria-live="polite"
        aria-atomic="true"
        variant="body2"
        sx={{ color: state === 'failed' ? 'error.main' : 'text.secondary' }}
      >
        {MESSAGES[state]}
      </Typography>
    </Stack>
  );
}
