// @vitest-environment node
// The build renders the home screen in Node to collect its styles (vite.config.ts): no browser APIs there.
import { describe, expect, it } from 'vitest';
import { renderFirstScreenStyles } from '../../../src/web/app/first-screen-styles.tsx';

describe('first-screen styles, rendered at build time', () => {
  it('collects the CSS of every style the home screen uses, under the names emotion gives them', () => {
    const { css, names } = renderFirstScreenStyles();
    expect(names.length).toBeGreaterThan(40);
    expect(new Set(names).size).toBe(names.length);
    // Each component style is a class rule the page's elements carry.
    const classNames = [...css.matchAll(/\.css-([A-Za-z0-9-]+)/g)].map((match) => match[1]);
    expect(classNames.length).toBeGreaterThan(40);
    for (const name of classNames) expect(names).toContain(name);
    // The theme's light palette and the app's typography (the render is the light scheme).
    expect(css).toContain('color-scheme:light');
    expect(css).toContain('font-family:system-ui');
    // CSS only: no markup, nothing that would need a nonce.
    expect(css).not.toMatch(/<\/?style/i);
  });

  it('renders the same styles every time (the build is reproducible)', () => {
    expect(renderFirstScreenStyles()).toEqual(renderFirstScreenStyles());
  });
});
