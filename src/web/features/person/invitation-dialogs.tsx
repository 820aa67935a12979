import { useId, useState } from 'react';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import useMediaQuery from '@mui/material/useMediaQuery';
import type { Theme } from '@mui/material/styles';
import type { ActionResult } from '../../../contract/users.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { describeChangeFailure, failureText } from './change-failure.ts';
import { useRevokeInvitation, useUpdateInvitation } from './invitation-changes.ts';
import { PersonEditForm } from './person-edit-form.tsx';
import { displayName } from './person-format.ts';

export type Outcome = {
  severity: 'success' | 'info' | 'error';
  text: string;
  requestId?: string | undefined;
};

/** Edit a pending invitation with the invite form's fields (the same form component as a user's edit). */
export function EditInvitationDialog({
  invitation,
  onClose,
}: {
  invitation: Invitation;
  onClose: (outcome?: Outcome) => void;
}) {
  const titleId = useId();
  const fullScreen = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'), { noSsr: true });
  const update = useUpdateInvitation(invitation.invitationId);
  const name = displayName(invitation);
  return (
    <Dialog
      open
      onClose={() => {
        if (!update.isPending) onClose();
      }}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      fullScreen={fullScreen}
    >
      <DialogTitle id={titleId}>Edit the invitation for {name}</DialogTitle>
      <DialogContent>
        <PersonEditForm
          person={invitation}
          what="invitation"
          save={(patch) => update.mutateAsync(patch)}
          saving={update.isPending}
          onSaved={() => onClose({ severity: 'success', text: `The invitation for ${name} was updated.` })}
          onCancel={() => onClose()}
          onGone={(gone) =>
            onClose({ severity: 'error', text: `${gone.title} ${gone.detail}`, requestId: gone.requestId })
          }
        />
      </DialogContent>
    </Dialog>
  );
}

function revokeText(name: string, result: ActionResult): string {
  if (result.success)
    return result.message
      ? `Revoked the invitation for ${name}. ${result.message}`
      : `Revoked the invitation for ${name}.`;
  return result.message ?? `The invitation for ${name} was no longer pending, so nothing changed.`;
}

/** Ask, then revoke a pending invitation. */
export function RevokeInvitationDialog({
  invitation,
  onClose,
}: {
  invitation: Invitation;
  onClose: (outcome?: Outcome) => void;
}) {
  const revoke = useRevokeInvitation(invitation.invitationId);
  const [error, setError] = useState<{ text: string; requestId: string | undefined } | null>(null);
  const name = displayName(invitation);

  const confirm = async () => {
    setError(null);
    try {
      const result = await revoke.mutateAsync();
      onClose({ severity: result.success ? 'success' : 'info', text: revokeText(name, result) });
    } catch (caught) {
      const failure = describeChangeFailure(caught);
      if (failure.kind === 'gone') {
        onClose({
          severity: 'error',
          text: `${failure.title} ${failure.detail}`,
          requestId: failure.requestId,
        });
      } else setError({ text: failureText(failure), requestId: failure.requestId });
    }
  };

  return (
    <ConfirmDialog
      open
      title={`Revoke the invitation for ${name}?`}
      confirmLabel="Revoke invitation"
      destructive
      busy={revoke.isPending}
      error={error?.text}
      errorRequestId={error?.requestId}
      onConfirm={() => void confirm()}
      onCancel={() => onClose()}
    >
      The link in the invitation email sent to {invitation.email} will stop working, so {name} cannot join the
      clinic with it. This cannot be undone.
    </ConfirmDialog>
  );
}
