import { useEffect } from 'react';
import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Stack from '@mui/material/Stack';
import { ROLE_LABELS, roleNeededMessage } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import { ScreenHeading } from '../components/screen-heading.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { useCan } from '../lib/role.ts';
import { useNavigate } from '../lib/routing.tsx';
import { useSession } from '../lib/session-context.ts';

/** What someone sees at the address of a screen their role does not include. */
export function RoleNeeded({ role }: { role: OperatorRole }) {
  useDocumentTitle('Not part of your role');
  const held = useSession()?.operator.role;
  return (
    <Stack spacing={2}>
      <ScreenHeading title="Not part of your role" />
      <Alert severity="info">
        <AlertTitle>{roleNeededMessage(role)}</AlertTitle>
        {held === undefined ? null : `You are signed in as ${ROLE_LABELS[held]}.`}
      </Alert>
    </Stack>
  );
}

/**
 * A screen only for `role` and above. Anyone else sees which role it needs, or, for the home address, is taken to a
 * screen their role includes (`elseGoTo`).
 */
export function RoleGate({
  role,
  elseGoTo,
  children,
}: {
  role: OperatorRole;
  elseGoTo?: string | undefined;
  children: ReactNode;
}) {
  const allowed = useCan(role);
  const navigate = useNavigate();
  const redirect = !allowed && elseGoTo !== undefined;
  useEffect(() => {
    if (redirect) navigate(elseGoTo, { replace: true });
  }, [redirect, elseGoTo, navigate]);
  if (allowed) return children;
  return redirect ? null : <RoleNeeded role={role} />;
}
