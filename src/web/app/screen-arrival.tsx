import { useLayoutEffect, useState } from 'react';
import { useNavigationType } from '../lib/routing.tsx';
import { MAIN_ID } from './layout.tsx';

/**
 * Rendered with each screen, after it: when a navigation brings the operator to the screen, the keyboard focus moves
 * to its heading (a screen reader reads from there, Tab carries on from the top of the screen) and the page starts at
 * the top. Back and Forward leave the scroll to the router, which returns to where the page was. The screen the app
 * opens on is left as the browser shows it. A dialog the screen opens (a person's details) takes the focus after
 * this, as it should.
 */
export function ScreenArrival() {
  // How the operator arrived: read once, since the element is new for each screen (see app/router.tsx).
  const type = useNavigationType();
  const [arrival] = useState(type);
  useLayoutEffect(() => {
    if (arrival === 'initial') return;
    document.getElementById(MAIN_ID)?.querySelector('h1')?.focus({ preventScroll: true });
    if (arrival !== 'pop') window.scrollTo(0, 0);
  }, [arrival]);
  return null;
}
