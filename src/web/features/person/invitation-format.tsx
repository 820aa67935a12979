import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import { INVITATION_STATE_LABELS } from '../../../contract/directory.ts';
import type { InvitationState } from '../../../contract/directory.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { OnDemandTooltip } from '../../components/on-demand-tooltip.tsx';
import { formatDateTime, relativeTime } from '../../lib/dates.ts';

type ChipColor = 'default' | 'primary' | 'success' | 'error' | 'warning';

/** Past its expiry (an invitation without one never expires). */
export function isExpired(invitation: Pick<Invitation, 'expiry'>, now: number = Date.now()): boolean {
  if (invitation.expiry === null) return false;
  const at = Date.parse(invitation.expiry);
  return !Number.isNaN(at) && at < now;
}

/**
 * "expires in 3 days" / "expired 2 days ago", with the exact time in a tooltip that opens on hover and on keyboard
 * focus (and is then the element's description for a screen reader).
 */
export function ExpiryText({ expiry, now }: { expiry: string | null; now?: number }) {
  if (expiry === null) return <>Does not expire</>;
  const relative = relativeTime(expiry, now);
  if (!relative) return <>{expiry}</>;
  const exact = formatDateTime(expiry);
  return (
    <OnDemandTooltip title={exact}>
      <Box
        component="time"
        dateTime={expiry}
        tabIndex={0}
        sx={{
          textDecoration: 'underline dotted',
          textUnderlineOffset: '3px',
          cursor: 'help',
          borderRadius: 0.5,
          '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: 2 },
        }}
      >
        {relative.past ? `Expired ${relative.text}` : `Expires ${relative.text}`}
      </Box>
    </OnDemandTooltip>
  );
}

const STATE_COLOR: Record<InvitationState, ChipColor> = {
  pending: 'primary',
  expired: 'warning',
  accepted: 'success',
  declined: 'warning',
  revoked: 'default',
};

/** The directory's state of an invitation as a chip ("Expired", never "Sent" once past its expiry). */
export function InvitationStateChip({ state }: { state: InvitationState }) {
  return (
    <Chip size="small" variant="outlined" color={STATE_COLOR[state]} label={INVITATION_STATE_LABELS[state]} />
  );
}
