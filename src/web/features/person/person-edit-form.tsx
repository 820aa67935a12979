import { useEffect, useState } from 'react';
import type { RefObject } from 'react';
import { useForm } from 'react-hook-form';
import type { Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { NOTHING_TO_CHANGE } from '../../../contract/users.ts';
import type { InviteUserInput, UpdateUser } from '../../../contract/users.ts';
import { RequestIdNote } from '../../components/request-id.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { AccessFields } from './access-fields.tsx';
import { describeChangeFailure } from './change-failure.ts';
import { useFormSubmission } from './form-submission.ts';
import type { ChangeFailure } from './change-failure.ts';
import { FieldGrid, NameFields, PhoneField } from './person-fields.tsx';
import { userLevelLabel } from './person-format.ts';
import { changedFields, editFormValues, editPersonSchema, isAssignableLevel } from './person-patch.ts';
import type { EditablePerson, EditedPerson } from './person-patch.ts';
import { RoleField } from './role-field.tsx';

/** The edit schema, resolving the invite form's values (its input is a little looser: role and level may be unset). */
function editResolver(person: EditablePerson): Resolver<InviteUserInput, unknown, EditedPerson> {
  const resolve = zodResolver(editPersonSchema(person));
  // The same options, re-stated: TypeScript compares ResolverOptions of two value types as a whole, not by field.
  return (values, context, { names, ...options }) =>
    resolve(values, context, { ...options, ...(names === undefined ? {} : { names }) });
}

type PersonEditFormProps = {
  person: EditablePerson;
  /** "user" or "invitation", in messages. */
  what: string;
  /** Send the changed fields; resolves when saved, rejects with the ApiError otherwise. */
  save: (patch: UpdateUser) => Promise<unknown>;
  saving: boolean;
  onSaved: () => void;
  onCancel: () => void;
  /** The record is no longer there (404): the caller shows its "no longer exists" state. */
  onGone: (failure: Extract<ChangeFailure, { kind: 'gone' }>) => void;
};

/**
 * The invite form's fields and rules in edit mode, for a user or a pending invitation: the email is shown read-only,
 * only the fields that changed are sent, and admins keep dashboard access on the record as it will be.
 */
export function PersonEditForm({
  person,
  what,
  save,
  saving,
  onSaved,
  onCancel,
  onGone,
}: PersonEditFormProps) {
  const [resolver] = useState(() => editResolver(person));
  const { control, handleSubmit, setError, setFocus } = useForm<InviteUserInput, unknown, EditedPerson>({
    resolver,
    mode: 'onTouched',
    defaultValues: editFormValues(person),
  });
  const { failure, showFailure, retryButton, submitWith } = useFormSubmission<ChangeFailure>(setError);
  const [unchanged, setUnchanged] = useState(false);

  useEffect(() => {
    setFocus('firstName');
  }, [setFocus]);

  const send = async (values: EditedPerson) => {
    const patch = changedFields(person, values);
    if (patch === undefined) {
      setUnchanged(true);
      return;
    }
    try {
      await save(patch);
      onSaved();
    } catch (error) {
      const next = describeChangeFailure(error);
      if (next.kind === 'gone') onGone(next);
      else showFailure(next);
    }
  };

  const submit = submitWith(
    () => handleSubmit(send)(),
    () => setUnchanged(false),
  );

  const roleKnown = editFormValues(person).clinicRole !== undefined;
  const levelNote = isAssignableLevel(person.level)
    ? undefined
    : person.level === 'owner'
      ? 'Owner. The clinic owner’s level cannot be changed here.'
      : `${userLevelLabel(person.level)}. This level cannot be changed here.`;

  return (
    <form noValidate onSubmit={submit} aria-label={`Edit ${what}`}>
      <Stack spacing={3}>
        <Typography variant="body2" color="text.secondary">
          Fields marked * are required. Only what you change is saved.
        </Typography>
        <Stack spacing={2}>
          <Typography variant="h3">Who they are</Typography>
          <NameFields control={control} />
          <FieldGrid columns="minmax(0, 7fr) minmax(0, 5fr)">
            <div>
              <TextInput
                label="Email"
                value={person.email}
                type="email"
                helperText="The email address cannot be changed. To use another address, invite the person again."
                slotProps={{ htmlInput: { readOnly: true } }}
              />
            </div>
            <div>
              <PhoneField control={control} />
            </div>
          </FieldGrid>
        </Stack>
        <Stack spacing={2}>
          <Typography variant="h3">Role and access</Typography>
          {roleKnown ? null : (
            <Alert severity="info">
              Their current role, “{person.clinicRole}”, is not one this dashboard offers. It stays as it is
              unless you choose another.
            </Alert>
          )}
          <RoleField control={control} currentRole={roleKnown ? undefined : person.clinicRole} />
          <AccessFields control={control} levelNote={levelNote} />
        </Stack>

        {unchanged ? (
          <Alert severity="info" role="status">
            {NOTHING_TO_CHANGE}
          </Alert>
        ) : null}
        {failure ? (
          <FailureBanner failure={failure} onRetry={() => submit()} retryRef={retryButton} saving={saving} />
        ) : null}

        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          <Button type="submit" variant="contained" loading={saving} loadingPosition="start">
            {saving ? 'Saving…' : 'Save changes'}
          </Button>
          <Button type="button" onClick={onCancel} disabled={saving}>
            Cancel
          </Button>
        </Stack>
      </Stack>
    </form>
  );
}

function FailureBanner({
  failure,
  onRetry,
  retryRef,
  saving,
}: {
  failure: ChangeFailure;
  onRetry: () => void;
  retryRef: RefObject<HTMLButtonElement | null>;
  saving: boolean;
}) {
  if (failure.kind === 'fields') {
    if (failure.other.length === 0) return null;
    return (
      <Alert severity="error" role="alert">
        <AlertTitle>The change was refused.</AlertTitle>
        {failure.other.join(' ')}
        <RequestIdNote requestId={failure.requestId} />
      </Alert>
    );
  }
  if (failure.kind === 'rate-limited') {
    return (
      <Alert severity="warning" role="alert">
        <AlertTitle>Too many requests in a short time.</AlertTitle>
        Nothing was changed. Try again{' '}
        {failure.seconds === undefined ? 'in a minute' : `in ${failure.seconds} seconds`}; your entries are
        kept.
        <RequestIdNote requestId={failure.requestId} />
      </Alert>
    );
  }
  if (failure.kind === 'retry') {
    return (
      <Alert
        severity="error"
        role="alert"
        action={
          <Button
            ref={retryRef}
            color="inherit"
            variant="outlined"
            size="small"
            onClick={onRetry}
            disabled={saving}
          >
            Retry
          </Button>
        }
      >
        <AlertTitle>{failure.title}</AlertTitle>
        {failure.detail}
        <RequestIdNote requestId={failure.requestId} />
      </Alert>
    );
  }
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>{failure.title}</AlertTitle>
      {failure.detail}
      <RequestIdNote requestId={failure.requestId} />
    </Alert>
  );
}
