import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { useCopy } from '../lib/use-copy.ts';
import { CheckIcon, CopyIcon } from './icons.tsx';
import { CopyStatus, MONOSPACE } from './id-copy.tsx';
import { OnDemandTooltip } from './on-demand-tooltip.tsx';

/** One line cut with an ellipsis (never broken mid-string); selecting and copying it still copies it whole. */
const ONE_LINE = {
  display: 'block',
  minWidth: 0,
  maxWidth: '100%',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
} as const;

const FOCUS_RING = {
  borderRadius: 0.5,
  '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: 2 },
} as const;

// The tooltip stays inside the row's landmark (not portalled to the end of the body); fixed positioning lets it
// show over the table's own sideways-scrolling box.
const POPPER = { disablePortal: true, popperOptions: { strategy: 'fixed' } } as const;

/**
 * An e-mail (or any long value without spaces) in a table cell: one line, cut with an ellipsis when the column is
 * narrow, the full value in a tooltip on hover and on keyboard focus. `maxWidth` caps it on a wide screen.
 */
export function TruncatedText({ value, maxWidth = '28ch' }: { value: string; maxWidth?: string }) {
  return (
    <OnDemandTooltip title={value} popper={POPPER}>
      <Box
        component="span"
        tabIndex={0}
        sx={{ ...ONE_LINE, ...FOCUS_RING, width: 'fit-content', maxWidth: `min(100%, ${maxWidth})` }}
      >
        {value}
      </Box>
    </OnDemandTooltip>
  );
}

/**
 * An id in a table: monospace, one line cut with an ellipsis, the full id on hover and on keyboard focus (of the id or
 * of its Copy button), and a Copy button that copies it exactly. "Copied" shows on the button and is announced.
 */
export function IdCell({ value, label, of }: { value: string; label: string; of: string }) {
  const { state, copy } = useCopy(value);
  const what = `${label} of ${of}`;
  const text = state === 'copied' ? 'Copied' : 'Copy';
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', columnGap: 0.5, minWidth: 0, maxWidth: '100%' }}>
      <OnDemandTooltip title={value} popper={POPPER}>
        <Box
          component="code"
          tabIndex={0}
          sx={{
            ...ONE_LINE,
            ...FOCUS_RING,
            fontFamily: MONOSPACE,
            fontSize: '0.8125rem',
            maxWidth: 'min(100%, 16ch)',
          }}
        >
          {value}
        </Box>
      </OnDemandTooltip>
      <OnDemandTooltip title={value} popper={POPPER}>
        <Button
          size="small"
          variant="text"
          onClick={() => void copy()}
          aria-label={`${text} ${what}`}
          startIcon={state === 'copied' ? <CheckIcon /> : <CopyIcon />}
          sx={{ minWidth: 0, px: 1, whiteSpace: 'nowrap', flexShrink: 0 }}
        >
          {text}
        </Button>
      </OnDemandTooltip>
      <CopyStatus state={state} what={what} />
    </Box>
  );
}
