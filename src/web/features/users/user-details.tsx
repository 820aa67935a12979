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
import type { DirectoryPerson, InvitationState } from '../../../contract/directory.ts';
import { UserIdSchema } from '../../../contract/ids.ts';
import type { Invitation, InvitationStatus } from '../../../contract/invitations.ts';
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
import { invitedByText } from '../person/directory.ts';
import { EditInvitationDialog, RevokeInvitationDialog } from '../person/invitation-dialogs.tsx';
import type { Outcome } from '../person/invitation-dialogs.tsx';
import { ExpiryText, InvitationStateChip, isExpired } from '../person/invitation-format.tsx';
import { PersonEditForm } from '../person/person-edit-form.tsx';
import { useCan } from '../../lib/role.ts';
import { PersonTimeline } from '../person/person-timeline.tsx';
import { displayName, sourceLabel, userLevelLabel } from '../person/person-format.ts';
import { userQueryOptions } from '../person/queries.ts';
import { statusSourceText, statusText } from '../person/person-status.tsx';
import { RecordedTime } from '../person/recorded-time.tsx';
import {
  directoryEntryQueryOptions,
  invitationsOfUserQueryOptions,
  useUpdateUser,
  useUserAccessAction,
} from './api.ts';
import type { AccessAction } from './api.ts';
import { LastSignIn } from './users-table.tsx';

type Notice = { severity: 'success' | 'info' | 'error'; text: string; requestId?: string | undefined };

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
  const [more, setMore] = useState(false);
  // Editing and access changes are an Administrator's; other roles review.
  const administrator = useCan('administrator');
  const update = useUpdateUser(user.userId);
  const entry = useQuery(directoryEntryQueryOptions(user.userId));
  const person = entry.data ?? null;
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

  const actions = accessActions(user, person);
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
    ['Status', <StatusDetail key="status" person={person} pending={entry.isPending} />],
    [
      'Invited by',
      person ? invitedByText(person.invitedBy) : <NotKnown key="by" pending={entry.isPending} />,
    ],
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
          role={notice.severity === 'error' ? 'alert' : 'status'}
          ref={noticeRef}
          tabIndex={-1}
          onClose={() => setNotice(null)}
        >
          {notice.text}
          <RequestIdNote requestId={notice.requestId} />
        </Alert>
      ) : null}
      {administrator ? (
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          <Button ref={editButton} variant="contained" onClick={() => setEditing(true)}>
            Edit
          </Button>
          {actions.primary.map((action) => (
            <AccessButton key={action} action={action} onClick={() => setConfirming(action)} />
          ))}
          {actions.more.length > 0 ? (
            <Button
              variant="text"
              aria-expanded={more}
              aria-controls={`${user.userId}-more`}
              onClick={() => setMore(!more)}
            >
              More actions
            </Button>
          ) : null}
        </Stack>
      ) : null}
      {administrator && more && actions.more.length > 0 ? (
        <Stack id={`${user.userId}-more`} direction="row" spacing={1} role="group" aria-label="More actions">
          {actions.more.map((action) => (
            <AccessButton key={action} action={action} onClick={() => setConfirming(action)} />
          ))}
        </Stack>
      ) : null}
      {administrator ? (
        <Typography variant="body2" sx={{ color: 'text.secondary' }}>
          {actions.note}
        </Typography>
      ) : null}

      <DetailList rows={rows} />
      <LatestInvitation userId={user.userId} onOutcome={setNotice} />
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

const OWNER_NOTE = 'The clinic owner’s access cannot be revoked.';
const ONLY_HERE =
  'Avara does not say whether someone’s access is revoked: this dashboard knows only what was done here. If it was changed in Avara directly, the other action is under More actions, and it tells you if nothing needed changing.';

/**
 * Which access actions to offer: the one the known state calls for, the other under "More actions" (the state is only
 * known from this dashboard's records). Not known yet (or the directory unavailable): both, as before.
 */
function accessActions(
  user: User,
  person: DirectoryPerson | null,
): { primary: AccessAction[]; more: AccessAction[]; note: string } {
  if (user.level === 'owner') return { primary: [], more: [], note: OWNER_NOTE };
  if (person === null) {
    return {
      primary: ['revoke-access', 'reactivate'],
      more: [],
      note: 'Avara does not show here whether someone’s access is revoked: revoking or reactivating tells you if it already was.',
    };
  }
  return person.status === 'access-revoked'
    ? { primary: ['reactivate'], more: ['revoke-access'], note: ONLY_HERE }
    : { primary: ['revoke-access'], more: ['reactivate'], note: ONLY_HERE };
}

function AccessButton({ action, onClick }: { action: AccessAction; onClick: () => void }) {
  return action === 'revoke-access' ? (
    <Button variant="outlined" color="error" onClick={onClick}>
      Revoke access
    </Button>
  ) : (
    <Button variant="outlined" onClick={onClick}>
      Reactivate
    </Button>
  );
}

/** The status with where it comes from: "Access revoked here by Dana Smith on 2 Mar 2026", "Active · From Avara". */
function StatusDetail({ person, pending }: { person: DirectoryPerson | null; pending: boolean }) {
  if (person === null) return <NotKnown pending={pending} />;
  if (person.status === 'access-revoked' && person.accessRevoked) return <>{statusSourceText(person)}</>;
  return (
    <>
      {statusText(person)}{' '}
      <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
        ({statusSourceText(person)})
      </Typography>
    </>
  );
}

function NotKnown({ pending }: { pending: boolean }) {
  if (pending) return <Skeleton variant="text" width={160} />;
  return (
    <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
      Not known yet: the directory has no record of them
    </Typography>
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

const STATE_OF_STATUS: Record<Exclude<InvitationStatus, 'sent'>, InvitationState> = {
  accepted: 'accepted',
  rejected: 'declined',
  revoked: 'revoked',
};

const isSettled = (status: string): status is Exclude<InvitationStatus, 'sent'> =>
  Object.hasOwn(STATE_OF_STATUS, status);

/** pending, expired, accepted, declined or revoked, as the directory derives it (an expired one is never "Sent"). */
function invitationState(invitation: Pick<Invitation, 'status' | 'expiry'>): InvitationState | null {
  if (invitation.status === 'sent') return isExpired(invitation) ? 'expired' : 'pending';
  return isSettled(invitation.status) ? STATE_OF_STATUS[invitation.status] : null;
}

const WHAT_HAPPENED: Partial<Record<InvitationState, string>> = {
  expired: 'This invitation has expired, so its link no longer works.',
  revoked: 'This invitation was revoked, so its link no longer works.',
  declined: 'They declined this invitation.',
};

/**
 * The honest next step for an invitation that can no longer be accepted: Avara has no way to resend or renew one,
 * and inviting the same e-mail again is refused ("already invited"), so nothing here would work.
 */
function DeadEnd({ state }: { state: InvitationState }) {
  const happened = WHAT_HAPPENED[state];
  if (happened === undefined) return null;
  return (
    <Alert severity="info">
      <AlertTitle>{happened} It cannot be sent again from this dashboard.</AlertTitle>
      Avara has no way to resend or renew an invitation, and inviting the same e-mail again is refused as
      “already invited”. To give them a new invitation, ask your clinic’s Avara account owner to send one from
      Avara’s own dashboard, or contact Avara support.
    </Alert>
  );
}

type Acting = { kind: 'edit' | 'revoke'; invitation: Invitation } | null;

/** Their most recent invitation: where it stands, what can be done next, and its id to copy. */
function LatestInvitation({ userId, onOutcome }: { userId: string; onOutcome: (outcome: Outcome) => void }) {
  const invitations = useQuery(invitationsOfUserQueryOptions(userId));
  const latest = invitations.data?.invitations[0];
  const state = latest ? invitationState(latest) : null;
  const [acting, setActing] = useState<Acting>(null);
  const canEdit = useCan('inviter');
  const canRevoke = useCan('administrator');
  const finish = (outcome?: Outcome) => {
    setActing(null);
    if (outcome) onOutcome(outcome);
  };
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
            ['State', state === null ? latest.status : <InvitationStateChip key="state" state={state} />],
            ['Expiry', <ExpiryText key="expiry" expiry={latest.expiry} />],
            ['Sent on', <RecordedTime key="sent" at={latest.createdAt} />],
            ['invitationId', <IdWithCopy key="id" value={latest.invitationId} label="invitationId" />],
          ]}
        />
      ) : null}
      {latest && state === 'pending' && canEdit ? (
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          <Button variant="outlined" onClick={() => setActing({ kind: 'edit', invitation: latest })}>
            Edit invitation
          </Button>
          {canRevoke ? (
            <Button
              variant="outlined"
              color="error"
              onClick={() => setActing({ kind: 'revoke', invitation: latest })}
            >
              Revoke invitation
            </Button>
          ) : null}
        </Stack>
      ) : null}
      {state === null ? null : <DeadEnd state={state} />}
      <Typography>
        <Link component={RouterLink} to={`/invitations?${new URLSearchParams({ userId }).toString()}`}>
          See their invitations
        </Link>
      </Typography>
      {acting?.kind === 'edit' ? (
        <EditInvitationDialog invitation={acting.invitation} onClose={finish} />
      ) : null}
      {acting?.kind === 'revoke' ? (
        <RevokeInvitationDialog invitation={acting.invitation} onClose={finish} />
      ) : null}
    </Stack>
  );
}
