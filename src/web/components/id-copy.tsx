import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCopy } from '../lib/use-copy.ts';
import { CheckIcon, CopyIcon } from './icons.tsx';
import { visuallyHidden } from './visually-hidden.ts';

export const MONOSPACE = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

/**
 * An id in monospace with a small Copy button, for tables and detail lists. The exact id is copied (no whitespace),
 * in one click or one key press; "Copied" shows next to the button and is announced by a polite live region that
 * names what was copied.
 */
export function IdWithCopy({
  value,
  label,
  of,
  wrap = false,
}: {
  value: string;
  /** What the id is: "userId", "invitationId". */
  label: string;
  /** Whose id, for the button's name when there are many on a page ("Sarah M. Johnson"). */
  of?: string | undefined;
  /** Let the id wrap at any width (a table with many columns). */
  wrap?: boolean;
}) {
  const { state, copy } = useCopy(value);
  const what = of === undefined ? label : `${label} of ${of}`;
  // The name starts with the visible word, whichever it is now (WCAG 2.5.3: what is seen is what is spoken).
  const text = state === 'copied' ? 'Copied' : 'Copy';

  return (
    <Stack direction="row" sx={{ alignItems: 'center', columnGap: 0.5, flexWrap: 'wrap', minWidth: 0 }}>
      <Box
        component="code"
        sx={{
          fontFamily: MONOSPACE,
          fontSize: '0.8125rem',
          // One line on a wide screen (an id reads best whole); on a narrower one, or where asked, it wraps anywhere
          // (an id has no spaces) rather than hide off-screen.
          whiteSpace: wrap ? 'normal' : { xs: 'normal', lg: 'nowrap' },
          overflowWrap: 'anywhere',
          minWidth: 0,
        }}
      >
        {value}
      </Box>
      <Button
        size="small"
        variant="text"
        onClick={() => void copy()}
        aria-label={`${text} ${what}`}
        startIcon={state === 'copied' ? <CheckIcon /> : <CopyIcon />}
        sx={{ minWidth: 0, px: 1, whiteSpace: 'nowrap' }}
      >
        {text}
      </Button>
      <CopyStatus state={state} what={what} />
    </Stack>
  );
}

/** The live region beside an id's Copy button: "Copied the userId of …" for a screen reader, or why it failed. */
export function CopyStatus({ state, what }: { state: ReturnType<typeof useCopy>['state']; what: string }) {
  return (
    <Typography
      role="status"
      aria-live="polite"
      aria-atomic="true"
      variant="caption"
      sx={{ color: state === 'failed' ? 'error.main' : 'text.secondary' }}
    >
      {state === 'copied' ? (
        <Box component="span" sx={visuallyHidden}>
          Copied the {what} to the clipboard.
        </Box>
      ) : null}
      {state === 'failed' ? 'Could not copy: select the id and copy it by hand.' : null}
    </Typography>
  );
}
