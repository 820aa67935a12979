import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { User } from '../../../contract/users.ts';
import { CopyIdButton } from '../../components/copy-id-button.tsx';
import { DetailList } from '../../components/detail-list.tsx';
import { MONOSPACE } from '../../components/id-copy.tsx';
import { formatPersonName, levelLabel } from '../../lib/format.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { userPath } from '../person/paths.ts';

type SuccessPanelProps = {
  user: User;
  keepSettings: boolean;
  onKeepSettingsChange: (keep: boolean) => void;
  onInviteAnother: () => void;
};

/** What was just created, the userId ready to copy, and the way on. Focus lands on its heading. */
export function SuccessPanel({
  user,
  keepSettings,
  onKeepSettingsChange,
  onInviteAnother,
}: SuccessPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const name = formatPersonName(user);
  const rows: [string, ReactNode][] = [
    ['Name', name],
    ['Email', user.email],
    ['Clinic role', user.clinicRole],
    ['Level', levelLabel(user.level)],
    ['Dashboard access', user.hasDashboardAccess ? 'Yes' : 'No'],
    ['May manage studies', user.canManageStudies ? 'Yes' : 'No'],
  ];

  return (
    <Paper
      component="section"
      variant="outlined"
      aria-labelledby="invite-success-heading"
      // Long e-mail addresses and ids wrap instead of pushing the page sideways on a phone.
      sx={{ p: { xs: 2, sm: 3 }, overflowWrap: 'anywhere', minWidth: 0 }}
    >
      <Stack spacing={2.5}>
        <Typography
          id="invite-success-heading"
          ref={heading}
          tabIndex={-1}
          variant="h2"
          sx={{ outline: 'none' }}
        >
          Invitation sent to {name}
        </Typography>
        <Typography>
          An email is on its way to {user.email} with a link to set up their account. They are already listed
          in Users.
        </Typography>

        <DetailList
          rows={[
            ...rows,
            [
              'userId',
              <Stack key="user-id" spacing={1}>
                <Typography
                  component="code"
                  data-testid="invited-user-id"
                  sx={{ fontFamily: MONOSPACE, fontSize: '0.95rem', overflowWrap: 'anywhere' }}
                >
                  {user.userId}
                </Typography>
                <CopyIdButton value={user.userId} />
              </Stack>,
            ],
          ]}
        />

        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={{ xs: 1, sm: 2 }}
          sx={{ alignItems: { sm: 'center' } }}
        >
          <Button variant="contained" onClick={onInviteAnother}>
            Invite another
          </Button>
          <FormControlLabel
            control={
              <Checkbox
                checked={keepSettings}
                onChange={(event) => onKeepSettingsChange(event.target.checked)}
              />
            }
            label="Keep these settings (role, level and access) for the next person"
          />
        </Stack>
        <Typography>
          <Link component={RouterLink} to={userPath(user.userId)}>
            See {name} in Users
          </Link>
        </Typography>
      </Stack>
    </Paper>
  );
}
