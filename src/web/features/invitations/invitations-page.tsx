import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useDocumentTitle } from '../../lib/document-title.ts';

/** Placeholder until the Invitations screen lands (its own issue). */
export function InvitationsPage() {
  useDocumentTitle('Invitations');
  return (
    <Stack spacing={2}>
      <Typography variant="h1">Invitations</Typography>
      <Typography>Where each invitation stands (sent, accepted, expired, revoked) is coming soon.</Typography>
    </Stack>
  );
}
