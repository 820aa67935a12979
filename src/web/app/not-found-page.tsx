import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { ScreenHeading } from '../components/screen-heading.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { Link as RouterLink } from '../lib/routing.tsx';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <Stack spacing={2}>
      <ScreenHeading title="Page not found" />
      <Typography>
        There is no page at this address. It may have moved, or the link may be mistyped.
      </Typography>
      <Typography>
        <Link component={RouterLink} to="/">
          Go to Invite
        </Link>
      </Typography>
    </Stack>
  );
}
