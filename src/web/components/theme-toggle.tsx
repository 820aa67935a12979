import IconButton from '@mui/material/IconButton';
import { useColorScheme } from '@mui/material/styles';
import { DarkModeIcon, LightModeIcon } from '../components/icons.tsx';

/**
 * Dark mode on or off. Until the operator chooses, the system setting decides; the choice is remembered in
 * localStorage by MUI's colour-scheme manager.
 */
export function ThemeToggle() {
  const { mode, systemMode, setMode } = useColorScheme();
  const current = (mode === 'system' ? systemMode : mode) ?? 'light';
  const dark = current === 'dark';
  return (
    <IconButton
      color="inherit"
      aria-label="Dark mode"
      aria-pressed={dark}
      onClick={() => setMode(dark ? 'light' : 'dark')}
    >
      {dark ? <LightModeIcon /> : <DarkModeIcon />}
    </IconButton>
  );
}
