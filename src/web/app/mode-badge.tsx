import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import { visuallyHidden } from '../components/visually-hidden.ts';
import { useMode } from '../features/session/api.ts';

const LOOK = {
  sandbox: { label: 'Sandbox', background: '#ffe08a', color: '#3d2c00', border: '#7a5800' },
  live: { label: 'Live', background: '#ffffff', color: '#8c1d18', border: '#8c1d18' },
} as const;

/**
 * Which Avara the dashboard is talking to: the embedded sandbox (practice data, e-mails kept in an outbox) or the
 * live clinic. Always visible in the app bar, so nobody mistakes one for the other.
 */
export function ModeBadge() {
  const mode = useMode();
  if (mode.isPending) return null;
  if (mode.isError) {
    return (
      <Chip
        size="small"
        variant="outlined"
        label="Mode unknown"
        sx={{ color: 'inherit', borderColor: 'currentColor' }}
      />
    );
  }
  const look = LOOK[mode.data.mode];
  return (
    <Chip
      size="small"
      data-mode={mode.data.mode}
      label={
        <>
          <Box component="span" sx={visuallyHidden}>
            Mode:{' '}
          </Box>
          {look.label}
        </>
      }
      sx={{
        fontWeight: 700,
        letterSpacing: '0.04em',
        textTransform: 'uppercase',
        bgcolor: look.background,
        color: look.color,
        border: `1px solid ${look.border}`,
      }}
    />
  );
}
