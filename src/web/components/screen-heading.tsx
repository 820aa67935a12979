import type { ReactNode } from 'react';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/**
 * A screen's one h1 and what the screen is for. The heading takes the keyboard focus when a navigation arrives at the
 * screen (app/screen-arrival.tsx), so a screen reader starts reading there; it is not a control, so no focus ring.
 */
export function ScreenHeading({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack spacing={1}>
      <Typography variant="h1" tabIndex={-1} sx={{ outline: 'none' }}>
        {title}
      </Typography>
      {children === undefined ? null : <Typography color="text.secondary">{children}</Typography>}
    </Stack>
  );
}
