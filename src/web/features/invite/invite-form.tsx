import { memo, useEffect, useState } from 'react';
import type { RefObject } from 'react';
import { useForm } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { InviteUserInputSchema } from '../../../contract/users.ts';
import type { InviteUser, InviteUserInput, User } from '../../../contract/users.ts';
import { RequestIdNote } from '../../components/request-id.tsx';
import { AccessFields } from '../person/access-fields.tsx';
import { useFormSubmission } from '../person/form-submission.ts';
import { EmailAndPhoneFields, NameFields } from '../person/person-fields.tsx';
import { RoleField } from '../person/role-field.tsx';
import { AlreadyInvited } from './already-invited.tsx';
import { useInviteUser } from './api.ts';
import { describeFailure } from './failure.ts';
import type { InviteFailure } from './failure.ts';
import { inviteDefaults, settingsOf } from './form-values.ts';
import { clearPendingInvite, loadPendingInvite, savePendingInvite } from './pending-submission.ts';
import type { InviteSettings } from './form-values.ts';

type InviteFormProps = {
  /** Role and access carried over from the previous invite ("keep these settings"). */
  settings?: InviteSettings | undefined;
  /** Put the cursor in "First name" on mount (after "Invite another"). */
  focusFirstField?: boolean;
  onInvited: (user: User, settings: InviteSettings) => void;
};

/** The invite form: one person, one request, nothing typed is ever lost on a failure. */
export function InviteForm({ settings, focusFirstField = false, onInvited }: InviteFormProps) {
  const { control, handleSubmit, setError, setFocus, getValues, reset } = useForm<
    InviteUserInput,
    unknown,
    InviteUser
  >({
    resolver: zodResolver(InviteUserInputSchema),
    mode: 'onTouched',
    defaultValues: inviteDefaults(settings),
  });
  // An invitation that was being sent when the page was left (reloaded, crashed) comes back as it was typed. Read
  // after the form is on screen: the tab's first sessionStorage read waits on the browser process, and nearly every
  // load has nothing to restore.
  const [restored, setRestored] = useState(false);
  const [initialSettings] = useState(settings);
  useEffect(() => {
    const pending = loadPendingInvite();
    if (!pending) return;
    reset({ ...inviteDefaults(initialSettings), ...pending });
    // eslint-disable-next-line react-hooks/set-state-in-effect -- read from sessionStorage once, after the first paint
    setRestored(true);
  }, [reset, initialSettings]);
  const invite = useInviteUser();
  useEffect(() => {
    if (focusFirstField) setFocus('firstName');
  }, [focusFirstField, setFocus]);
  const { failure, showFailure, retryButton, submitWith } = useFormSubmission<InviteFailure>(setError);

  const send = async (values: InviteUser) => {
    // Kept (with the submission's Idempotency-Key) until Avara's answer is known, so a reload loses nothing.
    savePendingInvite(getValues());
    try {
      const user = await invite.mutateAsync(values);
      clearPendingInvite();
      onInvited(user, settingsOf(values));
    } catch (error) {
      showFailure(describeFailure(error, values.email));
    }
  };

  const submit = submitWith(() => handleSubmit(send)());

  const sending = invite.isPending;
  const slow = useSlowAnswer(sending);

  return (
    <form noValidate onSubmit={submit} aria-label="Invite a colleague">
      <Stack spacing={3}>
        <Typography variant="body2" color="text.secondary">
          Fields marked * are required.
        </Typography>
        {restored && !failure ? (
          <Alert severity="info" role="status">
            <AlertTitle>Your unfinished invitation is back.</AlertTitle>
            The details below were being sent when the page was left. Send them again to finish: the person is
            never invited twice.
          </Alert>
        ) : null}

        <InviteFields control={control} />

        {failure && failure.kind !== 'fields' ? (
          <FailureBanner
            failure={failure}
            onRetry={() => submit()}
            retryRef={retryButton}
            sending={sending}
          />
        ) : null}
        {failure?.kind === 'fields' && failure.existing ? (
          <AlreadyInvited
            email={failure.existing.email}
            userId={failure.existing.userId}
            requestId={failure.requestId}
          />
        ) : null}
        {failure?.kind === 'fields' && failure.other.length > 0 ? (
          <Alert severity="error" role="alert">
            <AlertTitle>The invitation was refused.</AlertTitle>
            {failure.other.join(' ')}
            <RequestIdNote requestId={failure.requestId} />
          </Alert>
        ) : null}
        {failure?.kind === 'fields' && !failure.existing && failure.other.length === 0 ? (
          <Alert severity="error">
            The invitation was refused: the details marked above need attention.
            <RequestIdNote requestId={failure.requestId} />
          </Alert>
        ) : null}
        {slow ? (
          <Alert severity="info" role="status">
            <AlertTitle>Still waiting on Avara…</AlertTitle>
            Avara is taking longer than usual to answer. Keep this page open: the invitation is on its way and
            will not be sent twice.
          </Alert>
        ) : null}

        <Stack direction="row">
          <Button type="submit" variant="contained" size="large" loading={sending} loadingPosition="start">
            {sending ? 'Sending invitation…' : 'Send invitation'}
          </Button>
        </Stack>
      </Stack>
    </form>
  );
}

/**
 * Everything the operator types. Memoised on the form's `control` (stable for the form's life): the form itself
 * re-renders when react-hook-form becomes ready (a layout-effect update on mount), while sending, and on a failure, and
 * none of that needs the fields to render again (each field follows its own value and error through `control`).
 */
const InviteFields = memo(function InviteFields({
  control,
}: {
  control: Control<InviteUserInput, unknown, InviteUser>;
}) {
  return (
    <>
      <Stack component="section" spacing={2} aria-labelledby="invite-person-heading">
        <Typography id="invite-person-heading" variant="h2">
          Who are you inviting?
        </Typography>
        <NameFields control={control} />
        <EmailAndPhoneFields
          control={control}
          emailHint="The invitation is sent here; it is also how they sign in."
        />
      </Stack>

      <Stack component="section" spacing={2} aria-labelledby="invite-access-heading">
        <Typography id="invite-access-heading" variant="h2">
          Role and access
        </Typography>
        <RoleField control={control} />
        <AccessFields control={control} />
      </Stack>
    </>
  );
});

function FailureBanner({
  failure,
  onRetry,
  retryRef,
  sending,
}: {
  failure: Exclude<InviteFailure, { kind: 'fields' }>;
  onRetry: () => void;
  retryRef: RefObject<HTMLButtonElement | null>;
  sending: boolean;
}) {
  if (failure.kind === 'error') {
    return (
      <Alert severity="error" role="alert">
        <AlertTitle>{failure.title}</AlertTitle>
        {failure.detail}
        <RequestIdNote requestId={failure.requestId} />
      </Alert>
    );
  }
  const retry = (
    <Button
      ref={retryRef}
      color="inherit"
      variant="outlined"
      size="small"
      onClick={onRetry}
      disabled={sending}
    >
      Retry
    </Button>
  );
  if (failure.kind === 'rate-limited') {
    const when =
      failure.seconds === undefined
        ? 'in a minute'
        : `in ${failure.seconds} second${failure.seconds === 1 ? '' : 's'}`;
    return (
      <Alert severity="warning" role="alert" action={retry}>
        <AlertTitle>Too many requests in a short time.</AlertTitle>
        Nothing was sent. Try again {when}; your entries are kept.
        <RequestIdNote requestId={failure.requestId} />
      </Alert>
    );
  }
  return (
    <Alert severity="error" role="alert" action={retry}>
      <AlertTitle>{failure.title}</AlertTitle>
      {failure.detail}
      <RequestIdNote requestId={failure.requestId} />
    </Alert>
  );
}

/** How long a send may take before the form says it is still waiting. */
export const SLOW_ANSWER_MS = 2_000;

/** True once a send has been waiting for SLOW_ANSWER_MS; false again when it ends. */
function useSlowAnswer(waiting: boolean): boolean {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setTimeout(() => setSlow(true), SLOW_ANSWER_MS);
    return () => {
      clearTimeout(timer);
      setSlow(false);
    };
  }, [waiting]);
  return slow;
}
