import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProviders } from './app/providers.tsx';
import { AppRoutes, preloadScreenFor } from './app/router.tsx';
import { startSessionQueries } from './features/session/bootstrap.ts';
import { SessionGate } from './features/session/session-gate.tsx';
import { createQueryClient } from './lib/query-client.ts';
import { BrowserRouter } from './lib/routing.tsx';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

const queryClient = createQueryClient();
// Who is signed in: written into the page by the server, or asked for while the landing screen's code loads.
startSessionQueries(queryClient);

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
