import { useState } from 'react';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { AddOperatorInputSchema } from '../../../contract/operators.ts';
import type { AddOperatorInput, AddOperatorResult, Operator } from '../../../contract/operators.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { CopyIdButton } from '../../components/copy-id-button.tsx';
import { FormTextField } from '../../components/form-fields.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { formatDateTime } from '../../lib/dates.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { useSession } from '../../lib/session-context.ts';
import { useOperators } from '../person/queries.ts';
import { useAddOperator, useSetOperatorDisabled } from './api.ts';
import { ResetPasswordAction } from './reset-password.tsx';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import { OperatorRoleControl, RoleChoice } from './operator-role.tsx';
import { ROLE_LABELS } from '../../../contract/session.ts';

function statusOf(operator: Operator) {
  if (operator.disabled) return { label: 'Disabled', color: 'default' as const };
  if (operator.mustChangePassword)
    return { label: 'Has not chosen a password yet', color: 'warning' as const };
  return { label: 'Active', color: 'success' as const };
}

function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  return 'Something went wrong. Try again.';
}

function AddOperatorForm({ onAdded }: { onAdded: (result: AddOperatorResult) => void }) {
  const { control, handleSubmit, setError, reset } = useForm<AddOperatorInput, unknown, AddOperatorInput>({
    resolver: zodResolver(AddOperatorInputSchema),
    mode: 'onTouched',
    defaultValues: { email: '', displayName: '', role: 'viewer' },
  });
  const add = useAddOperator();
  const [failure, setFailure] = useState<{ text: string; requestId: string | undefined } | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (add.isPending) return;
    setFailure(null);
    void handleSubmit(async (values) => {
      try {
        const result = await add.mutateAsync(values);
        reset();
        onAdded(result);
      } catch (error) {
        const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
        const known = fields.filter((f) => f.path === 'email' || f.path === 'displayName');
        known.forEach((f, index) =>
          setError(
            f.path === 'email' ? 'email' : 'displayName',
            { type: 'server', message: f.message },
            { shouldFocus: index === 0 },
          ),
        );
        if (known.length === 0) setFailure({ text: problemText(error), requestId: requestIdOf(error) });
      }
    })();
  };

  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack component="form" noValidate onSubmit={submit} aria-labelledby="add-operator-heading" spacing={2}>
        <Typography id="add-operator-heading" variant="h2">
          Add an operator
        </Typography>
        <Typography variant="body2" color="text.secondary">
          They get a first password to use once; they choose their own when they first sign in.
        </Typography>
        {failure ? (
          <Alert severity="error" role="alert">
            {failure.text}
            <RequestIdNote requestId={failure.requestId} />
          </Alert>
        ) : null}
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
          <FormTextField control={control} name="displayName" label="Name" required autoComplete="off" />
          <FormTextField
            control={control}
            name="email"
            label="Email"
            type="email"
            required
            autoComplete="off"
          />
          <RoleChoice control={control} />
        </Box>
        <Box>
          <Button type="submit" variant="contained" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add operator'}
          </Button>
        </Box>
      </Stack>
    </Paper>
  );
}

function AddedPanel({ result, onDone }: { result: AddOperatorResult; onDone: () => void }) {
  return (
    <Alert severity="success" role="status" onClose={onDone}>
      <AlertTitle>
        {result.operator.displayName} ({result.operator.email}) can now sign in as{' '}
        {ROLE_LABELS[result.operator.role]}
      </AlertTitle>
      <Stack spacing={1}>
        <Typography variant="body2">
          Give them this first password in person or by phone. It is shown only now.
        </Typography>
        <Typography
          component="p"
          sx={{ fontFamily: 'monospace', fontSize: '1.1rem', wordBreak: 'break-all' }}
        >
          {result.initialPassword}
        </Typography>
        <CopyIdButton value={result.initialPassword} label="first password" />
      </Stack>
    </Alert>
  );
}

function OperatorRow({ operator, isMe }: { operator: Operator; isMe: boolean }) {
  const setDisabled = useSetOperatorDisabled();
  const [confirming, setConfirming] = useState(false);
  const status = statusOf(operator);

  const disable = async () => {
    try {
      await setDisabled.mutateAsync({ id: operator.id, disabled: true });
      setConfirming(false);
    } catch {
      // Shown in the dialog, which stays open.
    }
  };

  return (
    <Paper component="li" variant="outlined" sx={{ p: 2, listStyle: 'none' }}>
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={2}
        sx={{ alignItems: { xs: 'flex-start', sm: 'center' }, justifyContent: 'space-between' }}
      >
        <Stack spacing={0.5} sx={{ minWidth: 0 }}>
          <Typography component="h3" variant="h3">
            {operator.displayName}
            {isMe ? ' (you)' : ''}
          </Typography>
          <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
            {operator.email}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Last sign-in: {operator.lastSignInAt ? formatDateTime(operator.lastSignInAt) : 'never'} · added{' '}
            {formatDateTime(operator.createdAt)}
          </Typography>
          <Box>
            <Chip size="small" label={status.label} color={status.color} variant="outlined" />
          </Box>
        </Stack>
        <OperatorRoleControl operator={operator} />
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: 'flex-start' }}>
          {isMe ? null : <ResetPasswordAction operator={operator} />}
          {isMe ? (
            <Typography variant="body2" color="text.secondary">
              You cannot disable yourself.
            </Typography>
          ) : operator.disabled ? (
            <Button
              variant="outlined"
              onClick={() => setDisabled.mutate({ id: operator.id, disabled: false })}
              disabled={setDisabled.isPending}
            >
              Enable {operator.displayName}
            </Button>
          ) : (
            <Button
              variant="outlined"
              color="error"
              onClick={() => {
                setDisabled.reset();
                setConfirming(true);
              }}
              disabled={setDisabled.isPending}
            >
              Disable {operator.displayName}
            </Button>
          )}
        </Stack>
      </Stack>
      {setDisabled.isError && !confirming ? (
        <Alert severity="error" role="alert" sx={{ mt: 2 }}>
          {problemText(setDisabled.error)}
          <RequestIdNote requestId={requestIdOf(setDisabled.error)} />
        </Alert>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={`Disable ${operator.displayName}?`}
        confirmLabel="Disable"
        destructive
        busy={setDisabled.isPending}
        error={setDisabled.isError ? problemText(setDisabled.error) : null}
        errorRequestId={setDisabled.isError ? requestIdOf(setDisabled.error) : undefined}
        onConfirm={() => void disable()}
        onCancel={() => setConfirming(false)}
      >
        They are signed out everywhere at once and cannot sign in until an operator enables them again.
      </ConfirmDialog>
    </Paper>
  );
}

/** The people who may sign in to Viewer Admin: list them, add one, disable or enable others. */
export function OperatorsPage() {
  useDocumentTitle('Operators');
  const session = useSession();
  const operators = useOperators();
  const [added, setAdded] = useState<AddOperatorResult | null>(null);

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Operators">
        The people who can sign in to Viewer Admin and invite colleagues. Every change is recorded in
        Activity.
      </ScreenHeading>
      {added ? <AddedPanel result={added} onDone={() => setAdded(null)} /> : null}
      <AddOperatorForm onAdded={setAdded} />
      <Stack spacing={2} component="section" aria-labelledby="operator-list-heading">
        <Typography id="operator-list-heading" variant="h2">
          Everyone who can sign in
        </Typography>
        {operators.isPending ? <Typography role="status">Loading operators…</Typography> : null}
        {operators.isError ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => void operators.refetch()}>
                Retry
              </Button>
            }
          >
            {problemText(operators.error)}
            <RequestIdNote requestId={operators.error.requestId} />
          </Alert>
        ) : null}
        {operators.data ? (
          <Stack component="ul" spacing={1.5} sx={{ m: 0, p: 0 }}>
            {operators.data.operators.map((operator) => (
              <OperatorRow
                key={operator.id}
                operator={operator}
                isMe={operator.id === session?.operator.id}
              />
            ))}
          </Stack>
        ) : null}
      </Stack>
    </Stack>
  );
}
