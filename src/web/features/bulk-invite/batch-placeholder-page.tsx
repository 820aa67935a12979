import Stack from '@mui/material/Stack';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { Link, useParams } from '../../lib/routing.tsx';

/** Stands in for the batch screen (progress and results) until it is built: says where the batch is. */
export function BatchPlaceholderPage() {
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
