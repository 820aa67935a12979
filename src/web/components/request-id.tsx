import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { ApiError } from '../lib/api-client.ts';
import { MONOSPACE } from './id-copy.tsx';

/** The request id of whatever was thrown, when the dashboard server gave one. */
export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.requestId : undefined;
}

/**
 * The id to quote when asking for help with an error, on its own line inside the error's message. Nothing when there
 * is none (the server was never reached).
 */
export function RequestIdNote({ requestId }: { requestId: string | undefined }) {
  if (requestId === undefined) return null;
  return (
    <Typography variant="body2" component="span" sx={{ display: 'block', mt: 0.5 }}>
      Request id to quote if you ask for help:{' '}
      <Box component="code" sx={{ fontFamily: MONOSPACE, overflowWrap: 'anywhere', userSelect: 'all' }}>
        {requestId}
      </Box>
    </Typography>
  );
}
