import { useState } from 'react';
import Stack from '@mui/material/Stack';
import type { User } from '../../../contract/users.ts';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { Link } from '../../lib/routing.tsx';
import { InviteForm } from './invite-form.tsx';
import type { InviteSettings } from './form-values.ts';
import { SuccessPanel } from './success-panel.tsx';

type Invited = { user: User; settings: InviteSettings };

/** The home screen: invite one colleague, then copy their userId or invite the next. */
export function InvitePage() {
  useDocumentTitle('Invite a colleague');
  const [invited, setInvited] = useState<Invited | null>(null);
  const [keepSettings, setKeepSettings] = useState(false);
  const [next, setNext] = useState<{ round: number; settings: InviteSettings | undefined }>({
    round: 0,
    settings: undefined,
  });

  const inviteAnother = () => {
    if (!invited) return;
    setNext((current) => ({
      round: current.round + 1,
      settings: keepSettings ? invited.settings : undefined,
    }));
    setInvited(null);
  };

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Invite a colleague">
        They get an email from Avara to set up their account and sign in to the viewer. Inviting a whole team?{' '}
        <Link to="/invite-many">Invite many from a spreadsheet</Link>.
      </ScreenHeading>
      {invited ? (
        <SuccessPanel
          user={invited.user}
          keepSettings={keepSettings}
          onKeepSettingsChange={setKeepSettings}
          onInviteAnother={inviteAnother}
        />
      ) : (
        <InviteForm
          key={next.round}
          settings={next.settings}
          focusFirstField={next.round > 0}
          onInvited={(user, settings) => setInvited({ user, settings })}
        />
      )}
    </Stack>
  );
}
