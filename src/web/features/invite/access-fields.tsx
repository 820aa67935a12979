import type { ReactNode } from 'react';
import { useController, useWatch } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { Level } from '../../../contract/person.ts';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';

export const LEVEL_DESCRIPTIONS: Record<Level, { label: string; description: string }> = {
  member: { label: 'Member', description: 'Views and reads studies, as their permissions allow.' },
  admin: { label: 'Admin', description: 'Also manages users and clinic settings in the dashboard.' },
};

export const ADMIN_ALWAYS_HAS_DASHBOARD = 'Admins always have dashboard access.';

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

  const chooseLevel = (next: Level | null) => {
    // Clicking the pressed button again would unselect it: a level is always chosen.
    if (next === null) return;
    level.field.onChange(next);
    // Admins need dashboard access: turn it on (and it stays on if they go back to member).
    if (next === 'admin' && dashboard.field.value !== true) dashboard.field.onChange(true);
  };

  const dashboardHelp = isAdmin
    ? ADMIN_ALWAYS_HAS_DASHBOARD
    : 'Can sign in to the clinic’s Avara dashboard (the web console).';

  return (
    <Stack spacing={2}>
      <Stack spacing={1}>
        <Typography id="invite-level-label" variant="subtitle1" component="span" sx={{ fontWeight: 600 }}>
          Level
        </Typography>
        {levelNote === undefined ? (
          <ToggleButtonGroup
            exclusive
            fullWidth
            color="primary"
            value={level.field.value}
            onChange={(_event, next: Level | null) => chooseLevel(next)}
            aria-labelledby="invite-level-label"
          >
            {(['member', 'admin'] as const).map((value) => (
              <ToggleButton
                key={value}
                value={value}
                ref={value === 'member' ? level.field.ref : undefined}
                onBlur={level.field.onBlur}
                sx={{
                  flexDirection: 'column',
                  alignItems: 'flex-start',
                  textAlign: 'left',
                  gap: 0.5,
                  py: 1.5,
                }}
              >
                {/* The whole text is the button's name ("Admin Also manages users…"): what is seen is what is heard. */}
                <Typography component="span" sx={{ fontWeight: 600 }}>
                  {LEVEL_DESCRIPTIONS[value].label}
                </Typography>{' '}
                <Typography component="span" variant="body2" sx={{ color: 'text.secondary' }}>
                  {LEVEL_DESCRIPTIONS[value].description}
                </Typography>
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
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
              onChange={(event) => dashboard.field.onChange(event.target.checked)}
              onBlur={dashboard.field.onBlur}
              disabled={isAdmin}
              slotProps={{
                input: { ref: dashboard.field.ref, 'aria-describedby': 'invite-dashboard-help' },
              }}
            />
          }
        />
        <FormHelperText id="invite-dashboard-help" error={dashboard.fieldState.error !== undefined}>
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
