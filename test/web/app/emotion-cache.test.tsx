import { render, screen } from '@testing-library/react';
import { CacheProvider } from '@emotion/react';
import Button from '@mui/material/Button';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEmotionCache,
  readCspNonce,
  readPrerenderedStyleNames,
} from '../../../src/web/app/emotion-cache.ts';

afterEach(() => {
  document.head
    .querySelectorAll('meta[name="csp-nonce"], style[data-emotion], link[data-first-screen-styles]')
    .forEach((el) => el.remove());
});

/** The class rules emotion has inserted into the page so far. */
function insertedRules(): string[] {
  return [...document.head.querySelectorAll('style[data-emotion]')].flatMap((style) =>
    style instanceof HTMLStyleElement && style.sheet
      ? [...style.sheet.cssRules].map((rule) => rule.cssText)
      : [],
  );
}

/** The build's first-screen stylesheet link, with a sheet as the browser would report it. */
function firstScreenLink(sheet: unknown): void {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.setAttribute('data-first-screen-styles', 'abc123 def456');
  Object.defineProperty(link, 'sheet', { get: () => sheet });
  document.head.append(link);
}

describe('emotion cache and the CSP nonce', () => {
  it('reads the nonce the server wrote into index.html, and none when it is empty', () => {
    expect(readCspNonce()).toBeUndefined();
    const meta = document.createElement('meta');
    meta.name = 'csp-nonce';
    meta.content = '';
    document.head.append(meta);
    expect(readCspNonce()).toBeUndefined();
    meta.content = 'bm9uY2Utb2YtdGhpcy1wYWdl';
    expect(readCspNonce()).toBe('bm9uY2Utb2YtdGhpcy1wYWdl');
  });

  it('puts the nonce on every style element emotion adds', () => {
    const cache = createEmotionCache({ nonce: 'test-nonce-123' });
    render(
      <CacheProvider value={cache}>
        <Button variant="contained">Styled</Button>
      </CacheProvider>,
    );
    expect(screen.getByRole('button', { name: 'Styled' })).toBeVisible();
    const styles = [...document.head.querySelectorAll('style[data-emotion]')];
    expect(styles.length).toBeGreaterThan(0);
    for (const style of styles) expect(style.getAttribute('nonce')).toBe('test-nonce-123');
  });

  it("takes the build's first-screen styles as inserted only once that stylesheet has loaded", () => {
    expect(readPrerenderedStyleNames()).toEqual([]);
    firstScreenLink(null);
    expect(readPrerenderedStyleNames(), 'still loading').toEqual([]);
    document.head.querySelector('link[data-first-screen-styles]')?.remove();
    firstScreenLink({
      get cssRules() {
        throw new DOMException('Cannot access rules', 'SecurityError');
      },
    });
    expect(readPrerenderedStyleNames(), 'failed to load').toEqual([]);
    document.head.querySelector('link[data-first-screen-styles]')?.remove();
    firstScreenLink({ cssRules: [] });
    expect(readPrerenderedStyleNames(), 'empty').toEqual([]);
    document.head.querySelector('link[data-first-screen-styles]')?.remove();
    firstScreenLink({ cssRules: [{}, {}] });
    expect(readPrerenderedStyleNames()).toEqual(['abc123', 'def456']);
  });

  it('neither compiles nor inserts a style the page already has, and inserts everything else', () => {
    const first = render(
      <CacheProvider value={createEmotionCache({})}>
        <Button variant="contained">Styled</Button>
      </CacheProvider>,
    );
    const className = [...screen.getByRole('button', { name: 'Styled' }).classList].find((name) =>
      name.startsWith('css-'),
    );
    expect(className).toBeDefined();
    const name = className?.slice('css-'.length) ?? '';
    expect(insertedRules().some((rule) => rule.includes(`.css-${name}`))).toBe(true);
    first.unmount();
    document.head.querySelectorAll('style[data-emotion]').forEach((el) => el.remove());

    render(
      <CacheProvider value={createEmotionCache({ prerendered: [name] })}>
        <Button variant="contained">Styled</Button>
        <Button variant="outlined">Other</Button>
      </CacheProvider>,
    );
    expect(screen.getByRole('button', { name: 'Styled' })).toHaveClass(`css-${name}`);
    expect(insertedRules().some((rule) => rule.includes(`.css-${name}`))).toBe(false);
    const other = [...screen.getByRole('button', { name: 'Other' }).classList].find((c) =>
      c.startsWith('css-'),
    );
    expect(insertedRules().some((rule) => rule.includes(`.${other ?? 'missing'}`))).toBe(true);
  });
});
