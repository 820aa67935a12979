import { useState } from 'react';
import { Controller } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { AddOperatorInput, Operator } from '../../../contract/operators.ts';
import { OPERATOR_ROLES, OperatorRoleSchema, ROLE_LABELS } from '../../../contract/session.ts';
import type { OperatorRole } from '../../../contract/session.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { requestIdOf } from '../../components/request-id.tsx';
import { SelectField } from '../../components/select-field.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useSetOperatorRole } from './api.ts';
import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../lib/session-context.ts';
import { sessionKeys } from '../../lib/query-keys.ts';

const ROLE_OPTIONS = OPERATOR_ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

/** What each role may do, in the words of the Operators screen. */
export const ROLE_SUMMARIES: Record<OperatorRole, string> = {
  viewer: 'reviews users and invitations, copies ids and exports lists',
  inviter: 'also invites people, one or many, and edits pending invitations',
  administrator: 'also edits users, revokes access and invitations, manages operators and reads Activity',
};

/** The add form's role (Viewer unless chosen otherwise). */
export function RoleChoice({ control }: { control: Control<AddOperatorInput, unknown, AddOperatorInput> }) {
  return (
    <Controller
      control={control}
      name="role"
      render={({ field }) => (
        <Stack spacing={0.5}>
          <SelectField
            label="Role"
            value={field.value ?? 'viewer'}
            options={ROLE_OPTIONS}
            onChange={(value) => field.onChange(OperatorRoleSchema.parse(value))}
          />
          <Typography variant="body2" color="text.secondary">
            {ROLE_LABELS[field.value ?? 'viewer']}: {ROLE_SUMMARIES[field.value ?? 'viewer']}.
          </Typography>
        </Stack>
      )}
    />
  );
}

function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const { title, detail } = error.problem;
    return detail === undefined ? title : `${title}. ${detail}`;
  }
  return 'Something went wrong. Try again.';
}

/** An operator's role, and (for an Administrator) the choice of another, confirmed before it is sent. */
export function OperatorRoleControl({ operator }: { operator: Operator }) {
  const setRole = useSetOperatorRole();
  const [chosen, setChosen] = useState<OperatorRole | null>(null);
  const queryClient = useQueryClient();
  const isMe = useSession()?.operator.id === operator.id;
  const confirm = async () => {
    if (chosen === null) return;
    try {
      await setRole.mutateAsync({ id: operator.id, role: chosen });
      setChosen(null);
      // One's own role: what the app offers follows at once.
      if (isMe) await queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
    } catch {
      // Shown in the dialog, which stays open.
    }
  };
  return (
    <>
      <SelectField
        label={`Role of ${operator.displayName}`}
        value={operator.role}
        options={ROLE_OPTIONS}
        fullWidth={false}
        onChange={(value) => {
          const role = OperatorRoleSchema.parse(value);
          if (role === operator.role) return;
          setRole.reset();
          setChosen(role);
        }}
      />
      <ConfirmDialog
        open={chosen !== null}
        title={`Make ${operator.displayName} ${chosen === null ? '' : ROLE_LABELS[chosen]}?`}
        confirmLabel="Change role"
        destructive={chosen !== null && chosen !== 'administrator' && operator.role === 'administrator'}
        busy={setRole.isPending}
        error={setRole.isError ? problemText(setRole.error) : null}
        errorRequestId={setRole.isError ? requestIdOf(setRole.error) : undefined}
        onConfirm={() => void confirm()}
        onCancel={() => setChosen(null)}
      >
        {chosen === null
          ? null
          : `${ROLE_LABELS[chosen]}: ${ROLE_SUMMARIES[chosen]}. It applies from their next click; Activity records the change.`}
      </ConfirmDialog>
    </>
  );
}
