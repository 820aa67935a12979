import { useId, useState } from 'react';
import { queryOptions, useQuery } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { changeText } from '../../../contract/audit.ts';
import { OUTCOME_DONE, OUTCOME_NOT_KNOWN } from '../../../contract/audit-outcome.ts';
import { TimelineSchema } from '../../../contract/directory.ts';
import type { TimelineEvent } from '../../../contract/directory.ts';
import { MONOSPACE } from '../../components/id-copy.tsx';
import { ErrorState } from '../../components/list-states.tsx';
import { api } from '../../lib/api-client.ts';
import { formatDateTime } from '../../lib/dates.ts';
import { userKeys } from '../../lib/query-keys.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';

/** A person's history: under their `userKeys.all`, so any change to people refreshes it. */
export const timelineQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: [...userKeys.all, 'timeline', userId] as const,
    queryFn: ({ signal }) =>
      api.get(`/api/users/${encodeURIComponent(userId)}/timeline`, TimelineSchema, signal),
  });

/** The address of the Activity screen filtered to this person. */
export function activityOfPersonPath(userId: string): string {
  return `/activity?userId=${encodeURIComponent(userId)}`;
}

function outcomeColor(outcome: string): string {
  if (outcome === OUTCOME_DONE) return 'success.main';
  if (outcome === OUTCOME_NOT_KNOWN) return 'text.secondary';
  return 'error.main';
}

/** The technical facts behind an event (HTTP status and detail, request id), shown on request. */
function TechnicalDetail({ event }: { event: TimelineEvent }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (event.detail === null && event.requestId === null) return null;
  return (
    <Box>
      <Button
        size="small"
        variant="text"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((value) => !value)}
        sx={{ px: 0.5, minWidth: 0 }}
      >
        {open ? 'Hide technical detail' : 'Technical detail'}
      </Button>
      <Box id={id} hidden={!open} sx={{ pl: 0.5 }}>
        {event.detail !== null ? (
          <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
            {event.detail}
          </Typography>
        ) : null}
        {event.requestId !== null ? (
          <Typography variant="body2">
            Request id:{' '}
            <Box component="code" sx={{ fontFamily: MONOSPACE, overflowWrap: 'anywhere', userSelect: 'all' }}>
              {event.requestId}
            </Box>
          </Typography>
        ) : null}
      </Box>
    </Box>
  );
}

function EventItem({ event }: { event: TimelineEvent }) {
  const failed = event.outcome !== null && event.outcome !== OUTCOME_DONE;
  return (
    <Box
      component="li"
      sx={{ py: 1.25, borderTop: 1, borderColor: 'divider', '&:first-of-type': { borderTop: 0 } }}
    >
      <Typography variant="body2" sx={{ color: 'text.secondary' }}>
        {event.at === null ? (
          'Time not recorded'
        ) : (
          <time dateTime={event.at}>{formatDateTime(event.at)}</time>
        )}
        {' · '}
        {event.source === 'avara' ? 'From Avara' : 'In this dashboard'}
      </Typography>
      <Typography variant="body1" sx={{ fontWeight: 500 }}>
        {event.label}
      </Typography>
      {failed && event.outcome !== null ? (
        <Typography variant="body2" sx={{ color: outcomeColor(event.outcome) }}>
          {event.outcome}
        </Typography>
      ) : null}
      {event.changes.length > 0 ? (
        <Box component="ul" aria-label="What changed" sx={{ m: 0, pl: 2.5 }}>
          {event.changes.map((change) => (
            <Typography component="li" variant="body2" key={change.field}>
              {changeText(change)}
            </Typography>
          ))}
        </Box>
      ) : null}
      {failed ? <TechnicalDetail event={event} /> : null}
    </Box>
  );
}

/**
 * A person's timeline: what this dashboard did about them (invites, edits with what changed, revoke, reactivate,
 * attempts that failed, with the technical detail one click away) and what Avara says (created, last sign-in).
 */
export function PersonTimeline({ userId }: { userId: string }) {
  const headingId = useId();
  const timeline = useQuery(timelineQueryOptions(userId));
  return (
    <Box component="section" aria-labelledby={headingId}>
      <Stack
        direction="row"
        spacing={2}
        sx={{ alignItems: 'baseline', justifyContent: 'space-between', flexWrap: 'wrap', rowGap: 0.5 }}
      >
        <Typography id={headingId} variant="h3" component="h3" sx={{ fontSize: '1.125rem' }}>
          History
        </Typography>
        <Link component={RouterLink} to={activityOfPersonPath(userId)} variant="body2">
          All activity for this person
        </Link>
      </Stack>
      {timeline.isPending ? (
        <Stack role="status" aria-busy="true" aria-label="Loading the history" spacing={1} sx={{ mt: 1 }}>
          <Skeleton variant="text" />
          <Skeleton variant="text" />
        </Stack>
      ) : timeline.isError ? (
        <Box sx={{ mt: 1 }}>
          <ErrorState
            title="The history could not be loaded"
            error={timeline.error}
            onRetry={() => void timeline.refetch()}
            retrying={timeline.isFetching}
          />
        </Box>
      ) : timeline.data.events.length === 0 ? (
        <Typography variant="body2" sx={{ color: 'text.secondary', mt: 1 }}>
          Nothing recorded about this person yet.
        </Typography>
      ) : (
        <Box component="ol" aria-labelledby={headingId} sx={{ listStyle: 'none', m: 0, p: 0, mt: 1 }}>
          {timeline.data.events.map((event, index) => (
            <EventItem key={`${event.kind}-${event.at ?? ''}-${event.requestId ?? index}`} event={event} />
          ))}
        </Box>
      )}
    </Box>
  );
}
