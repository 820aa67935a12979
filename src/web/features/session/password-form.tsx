import { useState } from 'react';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import * as z from 'zod/mini';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import { NewPasswordSchema, PASSWORD_MIN } from '../../../contract/session.ts';
import type { Session } from '../../../contract/session.ts';
import { FormTextField } from '../../components/form-fields.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useChangePassword } from './api.ts';

/** The contract's rules for POST /api/session/password, plus the second entry that must match. */
const ChangePasswordFormSchema = z
  .object({
    currentPassword: z.string().check(z.minLength(1, 'Enter your current password.')),
    newPassword: NewPasswordSchema,
    confirmPassword: z.string(),
  })
  .check(
    z.refine((v) => v.newPassword !== v.currentPassword, {
      message: 'Choose a password different from the current one.',
      path: ['newPassword'],
    }),
    z.refine((v) => v.confirmPassword === v.newPassword, {
      message: 'This does not match the new password.',
      path: ['confirmPassword'],
    }),
  );
type ChangePasswordForm = z.infer<typeof ChangePasswordFormSchema>;

const FIELDS = ['currentPassword', 'newPassword'] as const;

type Failure = { text: string; requestId: string | undefined };

/**
 * The state of a password change form (the forced one after a reset, and the one in the account menu): validation,
 * the request, and the server's field errors put back on their fields.
 */
export function usePasswordChangeForm(onChanged?: (session: Session) => void) {
  const { control, handleSubmit, setError, reset } = useForm<ChangePasswordForm>({
    resolver: zodResolver(ChangePasswordFormSchema),
    mode: 'onTouched',
    defaultValues: { currentPassword: '', newPassword: '', confirmPassword: '' },
  });
  const change = useChangePassword();
  const [failure, setFailure] = useState<Failure | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (change.isPending) return;
    setFailure(null);
    void handleSubmit(async ({ currentPassword, newPassword }) => {
      try {
        const session = await change.mutateAsync({ currentPassword, newPassword });
        reset();
        onChanged?.(session);
      } catch (error) {
        const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
        const known = fields.filter((f) => (FIELDS as readonly string[]).includes(f.path));
        known.forEach((f, index) =>
          setError(
            f.path === 'currentPassword' ? 'currentPassword' : 'newPassword',
            { type: 'server', message: f.message },
            { shouldFocus: index === 0 },
          ),
        );
        if (known.length === 0) {
          setFailure({
            text:
              error instanceof ApiError
                ? (error.problem.detail ?? error.problem.title)
                : 'Try again in a moment.',
            requestId: requestIdOf(error),
          });
        }
      }
    })();
  };

  return { control, submit, failure, pending: change.isPending };
}

/** Why the last attempt did not change the password, when it was not about one field. */
export function PasswordChangeFailure({ failure }: { failure: Failure | null }) {
  if (!failure) return null;
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>The password was not changed.</AlertTitle>
      {failure.text}
      <RequestIdNote requestId={failure.requestId} />
    </Alert>
  );
}

/** Current password, new password, and the new one again. */
export function PasswordChangeFields({
  control,
  autoFocus = false,
}: {
  control: Control<ChangePasswordForm>;
  autoFocus?: boolean;
}) {
  return (
    <>
      <FormTextField
        control={control}
        name="currentPassword"
        label="Current password"
        type="password"
        required
        autoComplete="current-password"
        autoFocus={autoFocus}
      />
      <FormTextField
        control={control}
        name="newPassword"
        label="New password"
        type="password"
        required
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a strong, memorable password.`}
      />
      <FormTextField
        control={control}
        name="confirmPassword"
        label="New password again"
        type="password"
        required
        autoComplete="new-password"
      />
    </>
  );
}
