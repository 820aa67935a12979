// @vitest-environment node
// The memory history is what tests render the app with (MemoryRouter): no `window` here.
import { describe, expect, it, vi } from 'vitest';
import { createHref, createMemoryHistory, parsePath } from '../../../src/web/lib/history.ts';

describe('paths', () => {
  it('splits an address into path, query and fragment', () => {
    expect(parsePath('/users?level=admin#top')).toEqual({
      pathname: '/users',
      search: '?level=admin',
      hash: '#top',
    });
    expect(parsePath('/users#a?b')).toEqual({ pathname: '/users', search: '', hash: '#a?b' });
    expect(parsePath('/users?')).toEqual({ pathname: '/users', search: '', hash: '' });
  });

  it('writes an address from its parts, with or without their leading "?" and "#"', () => {
    expect(createHref({ pathname: '/users', search: 'level=admin' })).toBe('/users?level=admin');
    expect(createHref({ pathname: '/users', search: '?level=admin', hash: 'top' })).toBe(
      '/users?level=admin#top',
    );
    expect(createHref({ pathname: '/users', search: '' })).toBe('/users');
    expect(createHref('/users/usr_1?x=1')).toBe('/users/usr_1?x=1');
  });
});

describe('memory history', () => {
  it('starts at the last initial entry, the first keyed "default"', () => {
    const history = createMemoryHistory(['/', '/users?level=admin']);
    expect(history.getLocation()).toMatchObject({ pathname: '/users', search: '?level=admin', state: null });
    history.go(-1);
    expect(history.getLocation()).toEqual({
      pathname: '/',
      search: '',
      hash: '',
      state: null,
      key: 'default',
    });
  });

  it('pushes, replaces and goes back and forward, telling subscribers each time', () => {
    const history = createMemoryHistory();
    const changed = vi.fn();
    const unsubscribe = history.subscribe(changed);
    history.push('/users', { fromList: true });
    const pushed = history.getLocation();
    expect(pushed).toMatchObject({ pathname: '/users', state: { fromList: true } });
    expect(pushed.key).not.toBe('default');
    // The same object until something changes (what useSyncExternalStore needs).
    expect(history.getLocation()).toBe(pushed);
    history.replace('/invitations');
    expect(history.getLocation()).toMatchObject({ pathname: '/invitations', state: null });
    history.go(-1);
    expect(history.getLocation().pathname).toBe('/');
    history.go(1);
    expect(history.getLocation().pathname).toBe('/invitations');
    expect(changed.mock.calls).toEqual([['push'], ['replace'], ['pop'], ['pop']]);
    unsubscribe();
    history.go(-1);
    expect(changed).toHaveBeenCalledTimes(4);
  });

  it('stays put past either end, and drops the entries ahead when it pushes', () => {
    const history = createMemoryHistory(['/a', '/b', '/c']);
    const changed = vi.fn();
    history.subscribe(changed);
    history.go(1);
    expect(changed).not.toHaveBeenCalled();
    history.go(-5);
    expect(history.getLocation().pathname).toBe('/a');
    history.push('/d');
    history.go(1);
    expect(history.getLocation().pathname).toBe('/d');
    history.go(-1);
    expect(history.getLocation().pathname).toBe('/a');
  });
});
