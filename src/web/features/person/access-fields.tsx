import { useCallback, useRef, useState } from 'react';
import type { FocusEvent, KeyboardEvent, ReactNode } from 'react';
import { useController, useWatch } from 'react-hook-form';
import type { Control, RefCallBack } from 'react-hook-form';
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import ToggleButton from '@mui/material/ToggleButton';
import Typography from '@mui/material/Typography';
import type { Level } from '../../../contract/person.ts';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';

export const LEVEL_DESCRIPTIONS: Record<Level, { label: string; description: string }> = {
  member: { label: 'Member', description: 'Views and reads studies, as their permissions allow.' },
  admin: { label: 'Admin', description: 'Also manages users and clinic settings in the dashboard.' },
};

export const ADMIN_ALWAYS_HAS_DASHBOARD = 'Admins always have dashboard access.';
export const DASHBOARD_OFF_AS_BEFORE = 'Dashboard access is off again, as it was before Admin was chosen.';
export const DASHBOARD_ON_AS_BEFORE = 'Dashboard access stays on, as it was before Admin was chosen.';
export const DASHBOARD_STILL_ON =
  'Dashboard access is still on. Turn it off if they do not need the clinic’s Avara dashboard.';

/** Level, dashboard access and study management, with the rule "admins need dashboard access" built in. */
export function AccessFields<Out = InviteUser>({
  control,
  levelNote,
}: {
  /** The invite form's control, or an edit form's (same values, another resolver output). */
  control: Control<InviteUserInput, unknown, Out>;
  /** Shown instead of the level toggle when the level cannot be changed here (an edit form for the clinic owner). */
  levelNote?: ReactNode;
}) {
  const level = useController({ control, name: 'level' });
  const dashboard = useController({ control, name: 'hasDashboardAccess' });
  const studies = useController({ control, name: 'canManageStudies' });
  const isAdmin = useWatch({ control, name: 'level' }) === 'admin';

  // Dashboard access as it was before Admin was chosen, so going back to Member gives it back as it was.
  const beforeAdmin = useRef<boolean | undefined>(undefined);
  const [backToMember, setBackToMember] = useState<string | undefined>(undefined);

  const chooseLevel = (next: Level) => {
    if (next === level.field.value) return;
    level.field.onChange(next);
    if (next === 'admin') {
      // Admins need dashboard access: turn it on, remembering what it was.
      beforeAdmin.current = dashboard.field.value === true;
      if (dashboard.field.value !== true) dashboard.field.onChange(true);
      setBackToMember(undefined);
      return;
    }
    const previous = beforeAdmin.current;
    beforeAdmin.current = undefined;
    if (previous === undefined) {
      // Admin when the form opened: nothing to go back to, so say that access stayed on.
      setBackToMember(dashboard.field.value === true ? DASHBOARD_STILL_ON : undefined);
      return;
    }
    dashboard.field.onChange(previous);
    setBackToMember(previous ? DASHBOARD_ON_AS_BEFORE : DASHBOARD_OFF_AS_BEFORE);
  };

  const dashboardHelp = isAdmin
    ? ADMIN_ALWAYS_HAS_DASHBOARD
    : (backToMember ?? 'Can sign in to the clinic’s Avara dashboard (the web console).');

  return (
    <Stack spacing={2}>
      <Stack spacing={1}>
        <Typography id="invite-level-label" variant="subtitle1" component="span" sx={{ fontWeight: 600 }}>
          Level
        </Typography>
        {levelNote === undefined ? (
          <LevelToggle
            value={level.field.value}
            onChange={chooseLevel}
            onBlur={level.field.onBlur}
            fieldRef={level.field.ref}
            labelledBy="invite-level-label"
          />
        ) : (
          <Typography>{levelNote}</Typography>
        )}
        {level.fieldState.error ? (
          <FormHelperText error>{level.fieldState.error.message}</FormHelperText>
        ) : null}
      </Stack>

      <div>
        <FormControlLabel
          label="Dashboard access"
          control={
            <Switch
              name={dashboard.field.name}
              checked={dashboard.field.value === true}
              onChange={(event) => {
                setBackToMember(undefined);
                dashboard.field.onChange(event.target.checked);
              }}
              onBlur={dashboard.field.onBlur}
              disabled={isAdmin}
              slotProps={{
                input: { ref: dashboard.field.ref, 'aria-describedby': 'invite-dashboard-help' },
              }}
            />
          }
        />
        {/* Polite: choosing a level changes dashboard access, and a screen reader hears how. */}
        <FormHelperText
          id="invite-dashboard-help"
          aria-live="polite"
          error={dashboard.fieldState.error !== undefined}
        >
          {dashboard.fieldState.error?.message ?? dashboardHelp}
        </FormHelperText>
      </div>

      <div>
        <FormControlLabel
          label="May manage studies"
          control={
            <Switch
              name={studies.field.name}
              checked={studies.field.value === true}
              onChange={(event) => studies.field.onChange(event.target.checked)}
              onBlur={studies.field.onBlur}
              slotProps={{ input: { ref: studies.field.ref, 'aria-describedby': 'invite-studies-help' } }}
            />
          }
        />
        <FormHelperText id="invite-studies-help" error={studies.fieldState.error !== undefined}>
          {studies.fieldState.error?.message ?? 'Can create, update and manage studies, not just read them.'}
        </FormHelperText>
      </div>
    </Stack>
  );
}

const LEVELS = ['member', 'admin'] as const;
const ARROW_STEPS: Readonly<Record<string, number>> = {
  ArrowRight: 1,
  ArrowDown: 1,
  ArrowLeft: -1,
  ArrowUp: -1,
};

/**
 * The two levels as a group of toggle buttons (the pressed one is the level): one stop in the tab order, arrow keys
 * (and Home/End) move between them, Space or Enter chooses. What MUI's ToggleButtonGroup does, without its cost: it
 * registers its buttons in layout effects when it mounts, which renders the group again inside the first commit,
 * before the screen can first be shown.
 */
function LevelToggle({
  value,
  onChange,
  onBlur,
  fieldRef,
  labelledBy,
}: {
  value: Level;
  onChange: (level: Level) => void;
  onBlur: () => void;
  /** The form library's ref for the level: the first button (focused when the level needs attention). */
  fieldRef: RefCallBack;
  labelledBy: string;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  // The button with focus holds the tab stop while focus is in the group; otherwise the chosen level does.
  const [focused, setFocused] = useState<Level | null>(null);
  const tabStop = focused ?? value;
  const firstRef = useCallback(
    (node: HTMLButtonElement | null) => {
      buttons.current[0] = node;
      fieldRef(node);
    },
    [fieldRef],
  );
  const secondRef = useCallback((node: HTMLButtonElement | null) => {
    buttons.current[1] = node;
  }, []);

  const moveFocus = (event: KeyboardEvent<HTMLDivElement>) => {
    const current = buttons.current.findIndex((button) => button === event.target);
    if (current === -1) return;
    const last = LEVELS.length - 1;
    const step = ARROW_STEPS[event.key];
    const next =
      step !== undefined
        ? (current + step + LEVELS.length) % LEVELS.length
        : event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? last
            : undefined;
    if (next === undefined) return;
    event.preventDefault();
    buttons.current[next]?.focus();
  };
  const leaveGroup = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget)) {
      setFocused(null);
      onBlur();
    }
  };

  return (
    <Box
      role="group"
      aria-labelledby={labelledBy}
      onKeyDown={moveFocus}
      onBlur={leaveGroup}
      sx={{ display: 'flex', width: '100%' }}
    >
      {LEVELS.map((option, index) => (
        <ToggleButton
          key={option}
          value={option}
          selected={value === option}
          color="primary"
          fullWidth
          tabIndex={tabStop === option ? 0 : -1}
          ref={index === 0 ? firstRef : secondRef}
          onFocus={() => setFocused(option)}
          onChange={() => onChange(option)}
          sx={{
            flexDirection: 'column',
            alignItems: 'flex-start',
            textAlign: 'left',
            gap: 0.5,
            py: 1.5,
            // Joined into one control, as a button group is drawn; the focused button's ring drawn over its neighbour.
            '&.Mui-focusVisible': { zIndex: 1 },
            ...(index === 0
              ? { borderTopRightRadius: 0, borderBottomRightRadius: 0 }
              : {
                  ml: '-1px',
                  borderLeft: '1px solid transparent',
                  borderTopLeftRadius: 0,
                  borderBottomLeftRadius: 0,
                }),
          }}
        >
          {/* The whole text is the button's name ("Admin Also manages users…"): what is seen is what is heard. */}
          <Typography component="span" sx={{ fontWeight: 600 }}>
            {LEVEL_DESCRIPTIONS[option].label}
          </Typography>{' '}
          <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
            {LEVEL_DESCRIPTIONS[option].description}
          </Typography>
        </ToggleButton>
      ))}
    </Box>
  );
}
