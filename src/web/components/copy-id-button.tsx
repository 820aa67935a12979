import { useEffect, useRef, useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { CheckIcon, CopyIcon } from './icons.tsx';

/** Copy text with the async clipboard API, falling back to a hidden textarea and `execCommand('copy')`. */
export async function copyText(text: string): Promise<boolean> {
  // navigator.clipboard only exists in secure contexts (HTTPS, localhost).
  if (typeof navigator.clipboard?.writeText === 'function') {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or no user activation: try the old way below.
    }
  }
  return copyWithTextarea(text);
}

function copyWithTextarea(text: string): boolean {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const textarea = document.createElement('textarea');
  textarea.value = text;
  textarea.setAttribute('readonly', '');
  textarea.setAttribute('aria-hidden', 'true');
  textarea.style.position = 'fixed';
  textarea.style.top = '0';
  textarea.style.opacity = '0';
  document.body.append(textarea);
  textarea.focus({ preventScroll: true });
  textarea.select();
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  textarea.remove();
  previous?.focus();
  return copied;
}

const MESSAGES = {
  idle: '',
  copied: 'Copied to the clipboard.',
  failed: 'Could not copy. Select the id and copy it by hand.',
} as const;

type CopyState = keyof typeof MESSAGES;

/**
 * A button that copies an id. The confirmation is visible next to the button and announced by a polite live region
 * (the region is always in the page, so screen readers pick up the change).
 */
export function CopyIdButton({ value, label = 'userId' }: { value: string; label?: string }) {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    clearTimeout(timer.current);
    setState('idle');
    const copied = await copyText(value);
    setState(copied ? 'copied' : 'failed');
    timer.current = setTimeout(() => setState('idle'), 6000);
  };

  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <Button
        variant="outlined"
        size="small"
        onClick={() => void copy()}
        aria-label={`Copy ${label}`}
        startIcon={state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </Button>
      <Typography
        role="status"
        aria-live="polite"
        aria-atomic="true"
        variant="body2"
        sx={{ color: state === 'failed' ? 'error.main' : 'text.secondary' }}
      >
        {MESSAGES[state]}
      </Typography>
    </Stack>
  );
}
