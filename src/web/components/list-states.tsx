import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { ApiError } from '../lib/api-client.ts';
import { RequestIdNote } from './request-id.tsx';
import { visuallyHidden } from './visually-hidden.ts';

/** Grey rows in the shape of the table while the first page loads; announced as "Loading …". */
export function ListSkeleton({ label, rows = 6 }: { label: string; rows?: number }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="status" aria-busy="true">
      <Box component="span" sx={visuallyHidden}>
        {label}
      </Box>
      <Stack spacing={1.5} aria-hidden="true">
        <Skeleton variant="text" width="40%" height={28} />
        {Array.from({ length: rows }, (_, index) => (
          <Stack key={index} direction="row" spacing={2} sx={{ alignItems: 'center' }}>
            <Skeleton variant="rounded" width={20} height={20} />
            <Skeleton variant="text" sx={{ flex: 2 }} />
            <Skeleton variant="text" sx={{ flex: 3 }} />
            <Skeleton variant="text" sx={{ flex: 2, display: { xs: 'none', sm: 'block' } }} />
            <Skeleton variant="text" sx={{ flex: 3, display: { xs: 'none', md: 'block' } }} />
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

/** Nothing to show: says why, and offers the way out (clear the filters, invite someone). */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 3, sm: 4 }, textAlign: 'center' }}>
      <Stack spacing={1.5} sx={{ alignItems: 'center' }}>
        <Typography variant="h2" component="p">
          {title}
        </Typography>
        {children ? <Typography color="text.secondary">{children}</Typography> : null}
        {action}
      </Stack>
    </Paper>
  );
}

/** A list that could not be loaded: what happened, in plain words, and Retry. */
export function ErrorState({
  title,
  error,
  onRetry,
  retrying = false,
}: {
  title: string;
  error: ApiError;
  onRetry: () => void;
  retrying?: boolean;
}) {
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        <Button color="inherit" variant="outlined" size="small" onClick={onRetry} disabled={retrying}>
          Retry
        </Button>
      }
    >
      <AlertTitle>{title}</AlertTitle>
      {problemSentence(error)}
      <RequestIdNote requestId={error.requestId} />
    </Alert>
  );
}

/** The problem's title and detail as one or two sentences. */
export function problemSentence(error: ApiError): string {
  const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
  const { title, detail } = error.problem;
  return detail ? `${sentence(title)} ${sentence(detail)}` : sentence(title);
}
