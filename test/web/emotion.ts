import type { EmotionCache } from '@emotion/cache';
import { createEmotionCache } from '../../src/web/app/emotion-cache.ts';

let cache: EmotionCache | undefined;

/**
 * One emotion cache for every render in a test file, as a page has one for its whole life. A cache per render would
 * insert every style again (cleanup leaves <head> alone), and jsdom's getComputedStyle, behind each query by role,
 * walks every rule in the document: a file's tests got slower one after another.
 */
export function testEmotionCache(): EmotionCache {
  cache ??= createEmotionCache();
  return cache;
}
