import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Drawer from '@mui/material/Drawer';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { UserIdSchema } from '../../../contract/ids.ts';
import { isClinicRole } from '../../../contract/roles.ts';
import type { ActionResult, User } from '../../../contract/users.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { DetailList } from '../../components/detail-list.tsx';
import { IdWithCopy } from '../../components/id-copy.tsx';
import { ErrorState } from '../../components/list-states.tsx';
import { RequestIdNote } from '../../components/request-id.tsx';
import { visuallyHidden } from '../../components/visually-hidden.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { describeChangeFailure, failureText } from '../person/change-failure.ts';
import { ExpiryText, InvitationStatusChip } from '../person/invitation-format.tsx';
import { PersonEditForm } from '../person/person-edit-form.tsx';
import { PersonTimeline } from '../person/person-timeline.tsx';
import { displayName, sourceLabel, userLevelLabel } from '../person/person-format.ts';
import { userQueryOptions } from '../person/queries.ts';
import { RecordedTime } from '../person/recorded-time.tsx';
import { invitationsOfUserQueryOptions, useUpdateUser, useUserAccessAction } from './api.ts';
import type { AccessAction } from './api.ts';
import { LastSignIn } from './users-table.tsx';

type Notice = { severity: 'success' | 'info'; text: string };

/** The person's details over the list, at their own address (/users/:userId). Closing goes back to the list. */
export function UserDetailsDrawer({ userId, onClose }: { userId: string | undefined; onClose: () => void }) {
  const headingId = useId();
  return (
    <Drawer
      anchor="right"
      open={userId !== undefined}
      onClose={onClose}
      slotProps={{
        paper: {
          'aria-labelledby': headingId,
          sx: { width: { xs: '100%', md: 720 }, maxWidth: '100%' },
        },
      }}
    >
      {userId === undefined ? null : (
        <Box sx={{ p: { xs: 2, sm: 3 }, overflowWrap: 'anywhere' }}>
          <UserDetails key={userId} userId={userId} headingId={headingId} onClose={onClose} />
        </Box>
      )}
    </Drawer>
  );
}

function Heading({ id, children, onClose }: { id: string; children: ReactNode; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start', justifyContent: 'space-between' }}>
      <Typography id={id} ref={heading} variant="h2" tabIndex={-1} sx={{ outline: 'none', minWidth: 0 }}>
        {children}
      </Typography>
      <Button onClick={onClose} variant="outlined" size="small" sx={{ flexShrink: 0 }}>
        Close details
      </Button>
    </Stack>
  );
}

function UserDetails({
  userId,
  headingId,
  onClose,
}: {
  userId: string;
  headingId: string;
  onClose: () => void;
}) {
  const valid = UserIdSchema.safeParse(userId).success;
  const user = useQuery({ ...userQueryOptions(userId), enabled: valid });
  const [gone, setGone] = useState<{ title: string; detail: string } | null>(null);

  if (!valid) {
    return (
      <Stack spacing={2}>
        <Heading id={headingId} onClose={onClose}>
          There is no user at this address
        </Heading>
        <Typography>
          A userId looks like usr_ followed by 32 characters 0-9 and a-f. Check the link, or find the person
          in the list.
        </Typography>
      </Stack>
    );
  }
  if (gone || (user.isError && user.error.status === 404)) {
    return (
      <Stack spacing={2}>
        <Heading id={headingId} onClose={onClose}>
          This user no longer exists
        </Heading>
        <Typography>
          {gone?.detail ?? 'They may have been removed in Avara. The list shows who is there now.'}
        </Typography>
        <Typography component="p" variant="body2" sx={{ color: 'text.secondary' }}>
          userId: <code>{userId}</code>
        </Typography>
      </Stack>
    );
  }
  if (user.isPending) {
    return (
      <Stack spacing={2} role="status" aria-busy="true">
        <Heading id={headingId} onClose={onClose}>
          <Box component="span" sx={visuallyHidden}>
            Loading the user’s details…
          </Box>
          <Skeleton variant="text" width={240} aria-hidden="true" />
        </Heading>
        {Array.from({ length: 8 }, (_, index) => (
          <Skeleton key={index} variant="text" aria-hidden="true" />
        ))}
      </Stack>
    );
  }
  if (user.isError) {
    return (
      <Stack spacing={2}>
        <Heading id={headingId} onClose={onClose}>
          User details
        </Heading>
        <ErrorState
          title="The user’s details could not be loaded."
          error={user.error}
          onRetry={() => void user.refetch()}
          retrying={user.isFetching}
        />
      </Stack>
    );
  }
  return <LoadedUser user={user.data} headingId={headingId} onClose={onClose} onGone={setGone} />;
}

function LoadedUser({
  user,
  headingId,
  onClose,
  onGone,
}: {
  user: User;
  headingId: string;
  onClose: () => void;
  onGone: (gone: { title: string; detail: string }) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirming, setConfirming] = useState<AccessAction | null>(null);
  const update = useUpdateUser(user.userId);
  const name = displayName(user);
  const editButton = useRef<HTMLButtonElement>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  // A new notice (saved, revoked…) takes the focus, so it is read out and the keyboard carries on from there.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  if (editing) {
    return (
      <Stack spacing={2}>
        <Heading id={headingId} onClose={onClose}>
          Edit {name}
        </Heading>
        <PersonEditForm
          person={user}
          what="user"
          save={(patch) => update.mutateAsync(patch)}
          saving={update.isPending}
          onSaved={() => {
            setEditing(false);
            setNotice({ severity: 'success', text: 'Changes saved.' });
          }}
          onCancel={() => {
            setEditing(false);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
          onGone={onGone}
        />
      </Stack>
    );
  }

  const rows: [string, ReactNode][] = [
    ['Name', name],
    ['First name', user.firstName],
    ['Middle name', user.middleName ?? <NotSet />],
    ['Last name', user.lastName],
    ['Suffix 1', user.suffix1 ?? <NotSet />],
    ['Suffix 2', user.suffix2 ?? <NotSet />],
    ['Email', user.email],
    ['Phone', user.phoneNumber ?? <NotSet />],
    [
      'Clinic role',
      isClinicRole(user.clinicRole) ? (
        user.clinicRole
      ) : (
        <>
          {user.clinicRole}{' '}
          <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
            (not one of the roles this dashboard offers)
          </Typography>
        </>
      ),
    ],
    ['Level', userLevelLabel(user.level)],
    ['Dashboard access', user.hasDashboardAccess ? 'Yes' : 'No'],
    ['May manage studies', user.canManageStudies ? 'Yes' : 'No'],
    ['Source', sourceLabel(user.invitedSource)],
    ['Created', <RecordedTime key="created" at={user.createdAt} />],
    ['Last sign-in', <LastSignIn key="last" at={user.lastLoginAt} />],
    ['userId', <IdWithCopy key="id" value={user.userId} label="userId" />],
  ];

  return (
    <Stack spacing={3}>
      <Heading id={headingId} onClose={onClose}>
        {name}
      </Heading>
      {notice ? (
        <Alert
          severity={notice.severity}
          role="status"
          ref={noticeRef}
          tabIndex={-1}
          onClose={() => setNotice(null)}
        >
          {notice.text}
        </Alert>
      ) : null}
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
        <Button ref={editButton} variant="contained" onClick={() => setEditing(true)}>
          Edit
        </Button>
        {user.level === 'owner' ? null : (
          <Button variant="outlined" color="error" onClick={() => setConfirming('revoke-access')}>
            Revoke access
          </Button>
        )}
        <Button variant="outlined" onClick={() => setConfirming('reactivate')}>
          Reactivate
        </Button>
      </Stack>
      <Typography variant="body2" sx={{ color: 'text.secondary' }}>
        {user.level === 'owner' ? 'The clinic owner’s access cannot be revoked. ' : ''}
        Avara does not show here whether someone’s access is revoked: revoking or reactivating tells you if it
        already was.
      </Typography>

      <DetailList rows={rows} />
      <LatestInvitation userId={user.userId} />
      <PersonTimeline userId={user.userId} />

      <AccessActionDialog
        user={user}
        action={confirming}
        onDone={(result) => {
          setConfirming(null);
          setNotice({ severity: result.success ? 'success' : 'info', text: resultText(confirming, result) });
        }}
        onCancel={() => setConfirming(null)}
        onGone={(gone) => {
          setConfirming(null);
          onGone(gone);
        }}
      />
    </Stack>
  );
}

function resultText(action: AccessAction | null, result: ActionResult): string {
  if (result.message) return result.message;
  if (action === 'revoke-access') return result.success ? 'Access revoked.' : 'Access was already revoked.';
  return result.success ? 'Access restored.' : 'They already had access.';
}

function NotSet() {
  return (
    <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
      Not set
    </Typography>
  );
}

const ACTION_TEXT: Record<AccessAction, { title: (name: string) => string; confirm: string }> = {
  'revoke-access': { title: (name) => `Revoke access for ${name}?`, confirm: 'Revoke access' },
  reactivate: { title: (name) => `Reactivate ${name}?`, confirm: 'Reactivate' },
};

function AccessActionDialog({
  user,
  action,
  onDone,
  onCancel,
  onGone,
}: {
  user: User;
  action: AccessAction | null;
  onDone: (result: ActionResult) => void;
  onCancel: () => void;
  onGone: (gone: { title: string; detail: string }) => void;
}) {
  // Both hooks always exist (hooks cannot be conditional); the dialog uses the one for its action.
  const revoke = useUserAccessAction(user.userId, 'revoke-access');
  const reactivate = useUserAccessAction(user.userId, 'reactivate');
  const [error, setError] = useState<{ text: string; requestId: string | undefined } | null>(null);
  const [shown, setShown] = useState<AccessAction>('revoke-access');
  if (action !== null && action !== shown) setShown(action);
  const mutation = shown === 'revoke-access' ? revoke : reactivate;
  const name = displayName(user);

  const confirm = async () => {
    setError(null);
    try {
      onDone(await mutation.mutateAsync());
    } catch (caught) {
      const failure = describeChangeFailure(caught);
      if (failure.kind === 'gone') onGone(failure);
      else setError({ text: failureText(failure), requestId: failure.requestId });
    }
  };

  return (
    <ConfirmDialog
      open={action !== null}
      title={ACTION_TEXT[shown].title(name)}
      confirmLabel={ACTION_TEXT[shown].confirm}
      destructive={shown === 'revoke-access'}
      busy={mutation.isPending}
      error={error?.text}
      errorRequestId={error?.requestId}
      onConfirm={() => void confirm()}
      onCancel={() => {
        setError(null);
        onCancel();
      }}
    >
      {shown === 'revoke-access' ? (
        <>
          {name} ({user.email}) will no longer be able to sign in to the Avara Viewer. Their account, role and
          data are kept, and you can reactivate them at any time.
        </>
      ) : (
        <>
          {name} ({user.email}) will be able to sign in to the Avara Viewer again, with the role and access
          they had before.
        </>
      )}
    </ConfirmDialog>
  );
}

/** Their most recent invitation: where it stands, and its id to copy. */
function LatestInvitation({ userId }: { userId: string }) {
  const invitations = useQuery(invitationsOfUserQueryOptions(userId));
  const latest = invitations.data?.invitations[0];
  return (
    <Stack component="section" spacing={1.5} aria-labelledby={`${userId}-invitation`}>
      <Typography id={`${userId}-invitation`} variant="h3">
        Invitation
      </Typography>
      {invitations.isPending ? <Skeleton variant="text" width="60%" /> : null}
      {invitations.isError ? (
        <Alert severity="warning">
          <AlertTitle>The invitation could not be loaded.</AlertTitle>
          <RequestIdNote requestId={invitations.error.requestId} />
          <Button size="small" color="inherit" onClick={() => void invitations.refetch()}>
            Retry
          </Button>
        </Alert>
      ) : null}
      {invitations.isSuccess && latest === undefined ? (
        <Typography sx={{ color: 'text.secondary' }}>No invitation on record.</Typography>
      ) : null}
      {latest ? (
        <DetailList
          rows={[
            ['Status', <InvitationStatusChip key="status" invitation={latest} />],
            ['Expiry', <ExpiryText key="expiry" expiry={latest.expiry} />],
            ['Sent on', <RecordedTime key="sent" at={latest.createdAt} />],
            ['invitationId', <IdWithCopy key="id" value={latest.invitationId} label="invitationId" />],
          ]}
        />
      ) : null}
      <Typography>
        <Link component={RouterLink} to={`/invitations?${new URLSearchParams({ userId }).toString()}`}>
          See their invitations
        </Link>
      </Typography>
    </Stack>
  );
}
