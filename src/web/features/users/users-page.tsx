import { useParams, useSearchParams } from 'react-router';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useDocumentTitle } from '../../lib/document-title.ts';

/** Placeholder until the Users screen lands (its own issue). */
export function UsersPage() {
  useDocumentTitle('Users');
  const { userId } = useParams();
  const [search] = useSearchParams();
  const email = search.get('email');
  const about = userId ? ` It will open ${userId} here.` : email ? ` It will show ${email} here.` : '';
  return (
    <Stack spacing={2}>
      <Typography variant="h1">Users</Typography>
      <Typography>The list of everyone in the clinic is coming soon.{about}</Typography>
    </Stack>
  );
}
