import Box from '@mui/material/Box';
import type { SxProps, Theme } from '@mui/material/styles';
import { visuallyHidden } from '../components/visually-hidden.ts';
import { useMode } from '../features/session/api.ts';

const LOOK = {
  sandbox: { label: 'Sandbox', background: '#ffe08a', color: '#3d2c00', border: '#7a5800' },
  live: { label: 'Live', background: '#ffffff', color: '#8c1d18', border: '#8c1d18' },
} as const;

/**
 * A small chip's look (MUI's small Chip: 24 px high, round ends, 0.8125rem). Drawn as a plain span: the badge is a
 * label, not a control, and MUI's Chip would bring its click, delete and ripple code into every screen's first load
 * (1.9 kB gzip).
 */
const BADGE = {
  display: 'inline-flex',
  alignItems: 'center',
  height: 24,
  px: { xs: 0.75, sm: 1 },
  borderRadius: 3,
  fontSize: '0.8125rem',
  whiteSpace: 'nowrap',
  flexShrink: 0,
} as const satisfies SxProps<Theme>;

/**
 * Which Avara the dashboard is talking to: the embedded sandbox (practice data, e-mails kept in an outbox) or the
 * live clinic. Always visible in the app bar, so nobody mistakes one for the other.
 */
export function ModeBadge() {
  const mode = useMode();
  if (mode.isPending) return null;
  if (mode.isError) {
    return (
      <Box component="span" sx={{ ...BADGE, border: '1px solid currentColor' }}>
        Mode unknown
      </Box>
    );
  }
  const look = LOOK[mode.data.mode];
  return (
    <Box
      component="span"
      data-mode={mode.data.mode}
      sx={{
        ...BADGE,
        fontWeight: 700,
        letterSpacing: { xs: '0.02em', sm: '0.04em' },
        textTransform: 'uppercase',
        bgcolor: look.background,
        color: look.color,
        border: `1px solid ${look.border}`,
      }}
    >
      <Box component="span" sx={visuallyHidden}>
        Mode:{' '}
      </Box>
      {look.label}
    </Box>
  );
}
