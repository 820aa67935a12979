import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { CopyIdButton } from '../../../src/web/components/copy-id-button.tsx';
import { IdWithCopy } from '../../../src/web/components/id-copy.tsx';

const ID = 'usr_fedcba9876543210fedcba9876543210';

describe('CopyIdButton', () => {
  it('copies with the clipboard API and says so, visibly and to screen readers', async () => {
    const user = userEvent.setup();
    render(<CopyIdButton value={ID} />);
    const status = screen.getByRole('status');
    await user.click(screen.getByRole('button', { name: 'Copy userId' }));
    await waitFor(() => expect(status).toHaveTextContent('Copied to the clipboard.'));
    expect(status).toHaveAttribute('aria-live', 'polite');
    // The name keeps the visible word (WCAG 2.5.3): "Copied" on screen, "Copied userId" spoken.
    expect(screen.getByRole('button', { name: 'Copied userId' })).toHaveTextContent(/^Copied$/);
    expect(await navigator.clipboard.readText()).toBe(ID);
  });

  it('works from the keyboard', async () => {
    const user = userEvent.setup();
    render(<CopyIdButton value={ID} label="invitationId" />);
    await user.tab();
    expect(screen.getByRole('button', { name: 'Copy invitationId' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Copied to the clipboard.'));
    expect(await navigator.clipboard.readText()).toBe(ID);
  });

  it('falls back to a hidden textarea and execCommand when the clipboard API is refused', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('Denied', 'NotAllowedError'),
    );
    let copied = '';
    const execCommand = vi.fn((command: string) => {
      const active = document.activeElement;
      copied = active instanceof HTMLTextAreaElement ? active.value : '';
      return command === 'copy';
    });
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    try {
      render(<CopyIdButton value={ID} />);
      const button = screen.getByRole('button', { name: 'Copy userId' });
      await user.click(button);
      await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Copied to the clipboard.'));
      expect(execCommand).toHaveBeenCalledWith('copy');
      expect(copied).toBe(ID);
      expect(document.querySelector('textarea')).toBeNull();
      expect(button).toHaveFocus();
    } finally {
      Reflect.deleteProperty(document, 'execCommand');
    }
  });

  it('says how to copy by hand when nothing works', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('Denied', 'NotAllowedError'),
    );
    Object.defineProperty(document, 'execCommand', { value: () => false, configurable: true });
    try {
      render(<CopyIdButton value={ID} />);
      await user.click(screen.getByRole('button', { name: 'Copy userId' }));
      await waitFor(() =>
        expect(screen.getByRole('status')).toHaveTextContent(
          'Could not copy. Select the id and copy it by hand.',
        ),
      );
    } finally {
      Reflect.deleteProperty(document, 'execCommand');
    }
  });
});

describe('the copy buttons’ names hold their visible text (WCAG 2.5.3), before and after copying', () => {
  const nameHoldsText = (button: HTMLElement) => {
    const text = button.textContent?.trim() ?? '';
    expect(text).not.toBe('');
    expect(button.getAttribute('aria-label')?.toLowerCase()).toContain(text.toLowerCase());
  };

  it('CopyIdButton', async () => {
    const user = userEvent.setup();
    render(<CopyIdButton value={ID} label="invitationId" />);
    const button = screen.getByRole('button', { name: 'Copy invitationId' });
    nameHoldsText(button);
    await user.click(button);
    await waitFor(() => expect(button).toHaveTextContent('Copied'));
    expect(button).toHaveAccessibleName('Copied invitationId');
    nameHoldsText(button);
  });

  it('IdWithCopy, in a table row', async () => {
    const user = userEvent.setup();
    render(<IdWithCopy value={ID} label="userId" of="Sarah M. Johnson" />);
    const button = screen.getByRole('button', { name: 'Copy userId of Sarah M. Johnson' });
    nameHoldsText(button);
    await user.click(button);
    await waitFor(() => expect(button).toHaveTextContent('Copied'));
    expect(button).toHaveAccessibleName('Copied userId of Sarah M. Johnson');
    nameHoldsText(button);
    expect(await navigator.clipboard.readText()).toBe(ID);
  });
});
