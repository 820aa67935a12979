import { createTheme } from '@mui/material/styles';

/**
 * The one theme: light and dark colour schemes. Until the operator uses the toggle in the app bar the system setting
 * decides; MUI's `useColorScheme` stores the choice in localStorage. Colours are chosen for WCAG 2.1 AA contrast
 * (4.5:1 for text) in both schemes.
 *
 * No `cssVariables`: MUI's CSS-variables mode costs about 250 ms of main-thread time on the first render here (measured
 * with `npm run bench:load`, A/B), which alone would break the 400 ms budget. Without it a scheme switch re-renders
 * the tree, which is instant for this app; the flash it prevents only matters for server rendering.
 */
export const COLOR_MODE_STORAGE_KEY = 'viewer-admin.color-mode';

/** The animation names MUI's InputBase listens for (`onAnimationStart`) to learn that the browser autofilled it. */
const AUTOFILL = 'mui-auto-fill';
const AUTOFILL_CANCEL = 'mui-auto-fill-cancel';

export const theme = createTheme({
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#1259a8' },
        secondary: { main: '#6a3d9a' },
        error: { main: '#b3261e' },
        success: { main: '#1b6e20' },
        warning: { main: '#8a4b00' },
        background: { default: '#f6f7f9', paper: '#ffffff' },
        // MUI's default secondary text (60% black) is 4.49:1 on this background: a touch darker passes AA.
        text: { primary: 'rgba(0, 0, 0, 0.87)', secondary: '#50555b' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#9ccbff' },
        secondary: { main: '#d0b4f5' },
        error: { main: '#ffb4ab' },
        success: { main: '#8fd694' },
        warning: { main: '#ffcc80' },
        background: { default: '#121417', paper: '#1b1e22' },
      },
    },
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: '1.75rem', fontWeight: 600 },
    h2: { fontSize: '1.375rem', fontWeight: 600 },
    h3: { fontSize: '1.125rem', fontWeight: 600 },
    button: { textTransform: 'none', fontWeight: 600 },
  },
  components: {
    // MUI tells an input the browser autofilled it through an animation, and by default every input mounts its own
    // <style> element with the two keyframes (nine on the invite screen, each one more style sheet for the first render
    // to insert and the browser to take in). Here the keyframes come once, with the baseline styles, and every input
    // keeps the animation rules InputBase would have given it; autofill detection works as before.
    //
    // The keyboard focus ring (WCAG 2.4.7, 2.4.11, 2.4.13): 2 px, solid, 2 px off the control, in the primary colour
    // (at least 6:1 against the page and paper in both schemes) and in the text colour on the app bar. MUI draws focus
    // mostly as a ripple or a shade, and ButtonBase removes the outline: this puts one ring on every control, the
    // switches and checkboxes included (their real input is invisible, MUI marks the visible part .Mui-focusVisible).
    // Text fields are left out: their focused border is already a 2 px primary outline. Elements focused only by code
    // (tabindex -1: a screen's heading on arrival) get no ring.
    MuiCssBaseline: {
      styleOverrides: (current) => ({
        [`@keyframes ${AUTOFILL}`]: { from: { animationName: AUTOFILL } },
        [`@keyframes ${AUTOFILL_CANCEL}`]: { from: { animationName: AUTOFILL_CANCEL } },
        ':focus-visible:not(input, textarea, [tabindex="-1"]), .Mui-focusVisible': {
          outline: `2px solid ${current.palette.primary.main} !important`,
          outlineOffset: '2px',
        },
        '.MuiAppBar-root :focus-visible, .MuiAppBar-root .Mui-focusVisible': {
          outlineColor: 'currentColor !important',
        },
      }),
    },
    MuiInputBase: {
      defaultProps: { disableInjectingGlobalStyles: true },
      styleOverrides: {
        input: {
          animationName: AUTOFILL_CANCEL,
          animationDuration: '10ms',
          '&:-webkit-autofill': { animationDuration: '5000s', animationName: AUTOFILL },
        },
      },
    },
    MuiButtonBase: { defaultProps: { disableRipple: false } },
    MuiToggleButton: {
      styleOverrides: {
        // MUI greys unpressed toggle buttons with the "active icon" colour (54% black), under 4.5:1 on our background.
        root: ({ theme: current }) => ({
          textTransform: 'none',
          color: (current.vars ?? current).palette.text.primary,
        }),
      },
    },
  },
});
