import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { COLOR_MODE_STORAGE_KEY } from '../../../src/web/app/theme.ts';
import { fakeApi, json } from '../fake-api.ts';
import { renderApp } from '../render-app.tsx';

function systemPrefers(scheme: 'dark' | 'light') {
  vi.stubGlobal(
    'matchMedia',
    vi.fn((query: string) => ({
      matches: query.includes(`prefers-color-scheme: ${scheme}`),
      media: query,
      onchange: null,
      addListener: vi.fn(),
      removeListener: vi.fn(),
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
      dispatchEvent: vi.fn(),
    })),
  );
}

const DARK_BACKGROUND = 'rgb(18, 20, 23)';
const LIGHT_BACKGROUND = 'rgb(246, 247, 249)';
const pageBackground = () => getComputedStyle(document.body).backgroundColor;

describe('theme', () => {
  it('follows the system setting until the operator chooses', async () => {
    systemPrefers('dark');
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/');
    expect(screen.getByRole('button', { name: 'Dark mode' })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(pageBackground()).toBe(DARK_BACKGROUND));
  });

  it('remembers the toggle across visits', async () => {
    systemPrefers('light');
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    const first = renderApp('/');
    const toggle = screen.getByRole('button', { name: 'Dark mode' });
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    expect(pageBackground()).toBe(LIGHT_BACKGROUND);
    await first.user.click(toggle);
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(pageBackground()).toBe(DARK_BACKGROUND));
    expect(localStorage.getItem(COLOR_MODE_STORAGE_KEY)).toBe('dark');
    first.unmount();

    renderApp('/');
    expect(screen.getByRole('button', { name: 'Dark mode' })).toHaveAttribute('aria-pressed', 'true');
    await first.user.click(screen.getByRole('button', { name: 'Dark mode' }));
    expect(localStorage.getItem(COLOR_MODE_STORAGE_KEY)).toBe('light');
    await waitFor(() => expect(pageBackground()).toBe(LIGHT_BACKGROUND));
  });
});
