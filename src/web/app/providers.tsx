import { useState } from 'react';
import type { ReactNode } from 'react';
import { CacheProvider } from '@emotion/react';
import type { EmotionCache } from '@emotion/cache';
import { QueryClientProvider } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { createEmotionCache } from './emotion-cache.ts';
import { COLOR_MODE_STORAGE_KEY, theme } from './theme.ts';

type AppProvidersProps = {
  queryClient: QueryClient;
  /** Where MUI's styles go; by default a cache that puts the page's CSP nonce on every style element. */
  emotionCache?: EmotionCache;
  children: ReactNode;
};

export function AppProviders({ queryClient, emotionCache, children }: AppProvidersProps) {
  const [cache] = useState(() => emotionCache ?? createEmotionCache());
  return (
    <CacheProvider value={cache}>
      <QueryClientProvider client={queryClient}>
        {/* No disableTransitionOnChange: it injects a <style> without the CSP nonce, which the browser refuses. */}
        <ThemeProvider
          theme={theme}
          defaultMode="system"
          modeStorageKey={COLOR_MODE_STORAGE_KEY}
          colorSchemeStorageKey={`${COLOR_MODE_STORAGE_KEY}.scheme`}
          noSsr
        >
          <CssBaseline enableColorScheme />
          {children}
        </ThemeProvider>
      </QueryClientProvider>
    </CacheProvider>
  );
}
