import { lazy } from 'react';
import type { ComponentType } from 'react';

export interface LazyScreen {
  /** Renders the screen: at once when its code is already here, otherwise through React.lazy (and Suspense). */
  Screen: ComponentType;
  /** Download and evaluate the screen's chunk now (for the screen the app opens on). */
  preload: () => Promise<void>;
}

/**
 * A screen in its own chunk. React.lazy alone always suspends on first render, even when the chunk was preloaded,
 * and React then holds the fallback on screen for a while (its reveal throttle, about 300 ms). Preloading the landing
 * screen before the first render lets it render straight away; every other screen still loads on first visit.
 */
export function lazyScreen(load: () => Promise<ComponentType>): LazyScreen {
  let loaded: ComponentType | undefined;
  const preload = async () => {
    loaded ??= await load();
  };
  const Lazy = lazy(async () => {
    await preload();
    return { default: loaded ?? (() => null) };
  });
  function Screen() {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <Lazy />;
  }
  return { Screen, preload };
}
