import { render, screen } from '@testing-library/react';
import { CacheProvider } from '@emotion/react';
import Button from '@mui/material/Button';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmotionCache, readCspNonce } from '../../../src/web/app/emotion-cache.ts';

afterEach(() => {
  document.head.querySelectorAll('meta[name="csp-nonce"], style[data-emotion]').forEach((el) => el.remove());
});

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
});
