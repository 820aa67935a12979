import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppProviders } from './app/providers.tsx';
import { AppRoutes, preloadScreenFor } from './app/router.tsx';
import { currentSessionQueryOptions, modeQueryOptions } from './features/session/api.ts';
import { SessionGate } from './features/session/session-gate.tsx';
import { createQueryClient } from './lib/query-client.ts';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

const queryClient = createQueryClient();
// Ask who is signed in (and then the mode) while the landing screen's code loads, not after the first render.
void queryClient.prefetchQuery(currentSessionQueryOptions()).then(() => {
  if (queryClient.getQueryData(currentSessionQueryOptions().queryKey))
    void queryClient.prefetchQuery(modeQueryOptions());
});

const root = createRoot(container);
const render = () =>
  root.render(
    <StrictMode>
      <AppProviders queryClient={queryClient}>
        <BrowserRouter>
          <SessionGate>
            <AppRoutes />
          </SessionGate>
        </BrowserRouter>
      </AppProviders>
    </StrictMode>,
  );

// The landing screen's chunk is already on its way (modulepreload): wait for it so the first render shows the screen
// itself, not a loading state. If it fails to load, render anyway: the screen's error boundary explains.
preloadScreenFor(window.location.pathname).then(render, render);
