import { cloneElement, useEffect, useId, useState } from 'react';
import type { HTMLAttributes, ReactElement } from 'react';
import Tooltip from '@mui/material/Tooltip';
import type { PopperProps } from '@mui/material/Popper';

/** MUI's own delays: before a hovered element's tooltip opens, and how long a tap shows it. */
const ENTER_DELAY_MS = 100;
const TOUCH_SHOW_MS = 1_500;
/** Time for the pointer to move from the element onto its tooltip (which stays open under it). */
const LEAVE_DELAY_MS = 100;

type Trigger = HTMLAttributes<HTMLElement>;

/** One pending action at a time: a new one replaces it. */
function createTimer() {
  let pending: ReturnType<typeof setTimeout> | undefined;
  return {
    later(ms: number, action: () => void) {
      clearTimeout(pending);
      pending = setTimeout(action, ms);
    },
    clear() {
      clearTimeout(pending);
    },
  };
}

/**
 * A tooltip on hover, on keyboard focus and on a tap, describing its element (aria-describedby while open, its title
 * while closed), closed by Escape, leaving, or blur; the pointer can move onto it. MUI's Tooltip is mounted only while
 * it shows, anchored to the element, instead of wrapping every element that has one: a page of table rows with
 * three tooltips each rendered a third slower with MUI's mounted on all of them (docs/performance.md).
 */
export function OnDemandTooltip({
  title,
  children,
  popper,
}: {
  title: string;
  children: ReactElement<Trigger>;
  /** Passed to the tooltip's Popper (placement inside the page, positioning strategy). */
  popper?: Partial<PopperProps>;
}) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [timer] = useState(createTimer);
  const id = useId();
  useEffect(() => () => timer.clear(), [timer]);
  const show = (element: HTMLElement) => {
    timer.clear();
    setAnchor(element);
  };
  const hide = () => {
    timer.clear();
    setAnchor(null);
  };
  const own = children.props;
  const trigger = cloneElement(children, {
    title: anchor === null ? title : undefined,
    'aria-describedby': anchor === null ? undefined : id,
    onMouseEnter: (event) => {
      own.onMouseEnter?.(event);
      const element = event.currentTarget;
      timer.later(ENTER_DELAY_MS, () => setAnchor(element));
    },
    onMouseLeave: (event) => {
      own.onMouseLeave?.(event);
      timer.later(LEAVE_DELAY_MS, hide);
    },
    onFocus: (event) => {
      own.onFocus?.(event);
      if (event.currentTarget.matches(':focus-visible')) show(event.currentTarget);
    },
    onBlur: (event) => {
      own.onBlur?.(event);
      hide();
    },
    onTouchStart: (event) => {
      own.onTouchStart?.(event);
      show(event.currentTarget);
      timer.later(TOUCH_SHOW_MS, hide);
    },
  } satisfies Trigger);
  return (
    <>
      {trigger}
      {anchor === null ? null : (
        <Tooltip
          open
          title={title}
          id={id}
          // Escape, and the pointer leaving the tooltip itself.
          onClose={hide}
          disableFocusListener
          disableTouchListener
          slotProps={{
            popper: {
              ...popper,
              anchorEl: anchor,
              onMouseEnter: () => timer.clear(),
            },
          }}
        >
          <span hidden />
        </Tooltip>
      )}
    </>
  );
}
