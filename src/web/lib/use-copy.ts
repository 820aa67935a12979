import { useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard.ts';

export type CopyState = 'idle' | 'copied' | 'failed';

/** Copy a value on demand; the outcome shows for six seconds, then the state is idle again. */
export function useCopy(value: string): { state: CopyState; copy: () => Promise<void> } {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    clearTimeout(timer.current);
    setState('idle');
    setState((await copyText(value)) ? 'copied' : 'failed');
    timer.current = setTimeout(() => setState('idle'), 6000);
  };
  return { state, copy };
}
