import Stack from '@mui/material/Stack';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { Link, useParams } from '../../lib/routing.tsx';

/** A stand-in for the batch screen (progress and results, another branch): the batch the server is sending. */
export function BatchPage() {
  useDocumentTitle('Invitations being sent');
  const { batchId = '' } = useParams();
  return (
    <Stack spacing={3}>
      <ScreenHeading title="Invitations being sent">
        The server is sending batch {batchId}. <Link to="/invite-many">Invite more people</Link>.
      </ScreenHeading>
    </Stack>
  );
}
