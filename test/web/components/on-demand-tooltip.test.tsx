import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { OnDemandTooltip } from '../../../src/web/components/on-demand-tooltip.tsx';

const EMAIL = 'margaret.okafor@northside-imaging.example';

function renderTip() {
  render(
    <>
      <button type="button">Before</button>
      <OnDemandTooltip title={EMAIL}>
        <span tabIndex={0}>margaret.oka…</span>
      </OnDemandTooltip>
    </>,
  );
  return screen.getByText('margaret.oka…');
}

describe('OnDemandTooltip', () => {
  it('mounts nothing until asked: the element is described by its title alone', () => {
    const element = renderTip();
    expect(screen.queryByRole('tooltip')).toBeNull();
    expect(element).toHaveAttribute('title', EMAIL);
    expect(element).not.toHaveAttribute('aria-describedby');
  });

  it('opens on hover and describes its element; stays while the pointer is on the tooltip; closes when it leaves', async () => {
    const user = userEvent.setup();
    const element = renderTip();
    await user.hover(element);
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent(EMAIL);
    expect(element).toHaveAccessibleDescription(EMAIL);
    expect(element).not.toHaveAttribute('title');

    fireEvent.mouseLeave(element);
    fireEvent.mouseEnter(tooltip);
    // Longer than the time allowed to reach the tooltip: it is still there.
    await new Promise((done) => setTimeout(done, 250));
    expect(screen.getByRole('tooltip')).toBe(tooltip);

    fireEvent.mouseLeave(tooltip);
    await waitFor(() => expect(screen.queryByRole('tooltip')).toBeNull());
    expect(element).toHaveAttribute('title', EMAIL);
  });

  it('opens on keyboard focus, closes on Escape and on blur (Tab in real Chromium: test/e2e/directory.test.ts)', async () => {
    const user = userEvent.setup();
    const element = renderTip();
    // A key pressed, then focus: jsdom's :focus-visible (user-event's Tab does not set it).
    fireEvent.keyDown(document.body, { key: 'Tab' });
    element.focus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent(EMAIL);
    expect(element).toHaveAccessibleDescription(EMAIL);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('tooltip')).toBeNull());
    expect(element).toHaveFocus();

    element.blur();
    fireEvent.keyDown(document.body, { key: 'Tab' });
    element.focus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent(EMAIL);
    element.blur();
    await waitFor(() => expect(screen.queryByRole('tooltip')).toBeNull());
  });

  it('opens on a tap, and closes by itself', async () => {
    const element = renderTip();
    fireEvent.touchStart(element);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(EMAIL);
    await waitFor(() => expect(screen.queryByRole('tooltip')).toBeNull(), { timeout: 3_000 });
  });
});
