import { existsSync, readdirSync, statSync } from 'node:fs';
import type { ClientRequest as ProxyRequest, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { build, createServer } from 'vite';

/**
 * What only a source checkout uses, and the only module of src/main.ts's graph that imports a dev dependency (Vite):
 * src/main.ts loads it with import() when it runs from the TypeScript source (`npm start`, `npm run dev`), never from
 * the build (`npm run start:prod`), where Vite is not installed.
 */

/** Where Vite writes the SPA (vite.config.ts build.outDir), under the package root. */
const SPA_BUILD_DIR = join('dist', 'web');
/** What the built SPA is made from: when any of it is newer than dist/web/index.html, `npm start` rebuilds. */
const SPA_SOURCES = ['src/web', 'src/contract', 'index.html', 'public', 'vite.config.ts'];

/** Build the SPA into dist/web/ when it is missing or older than its sources; returns it (undefined if unbuildable). */
export async function ensureSpaBuilt(
  rootDir: string,
  warn: (line: string) => void = (line) => console.warn(line),
): Promise<string | undefined> {
  const dist = join(rootDir, SPA_BUILD_DIR);
  const builtAt = mtimeOf(join(dist, 'index.html'));
  const canBuild = existsSync(join(rootDir, 'index.html'));
  if (!canBuild) {
    if (builtAt !== undefined) return dist;
    warn('Viewer Admin: no index.html to build the web app from; serving the API only.');
    return undefined;
  }
  const sourcesAt = Math.max(...SPA_SOURCES.map((source) => newestMtime(join(rootDir, source))));
  if (builtAt === undefined || sourcesAt > builtAt) {
    await build({ root: rootDir, configFile: join(rootDir, 'vite.config.ts'), logLevel: 'warn' });
  }
  return dist;
}

export interface DevServerOptions {
  rootDir: string;
  host: string;
  port: number;
  /** The BFF that `/api` and the health checks are proxied to. */
  bffUrl: string;
}

/** `npm run dev`: Vite's dev server (hot reload) on HOST:PORT, proxying `/api` and `/healthz` to the BFF. */
export async function startViteDevServer(
  options: DevServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const { bffUrl, host, port, rootDir } = options;
  // Vite's proxy sends the BFF its own Host (changeOrigin), so a page of the dev server has its Origin told as the
  // BFF's too: the gate then sees the same-origin request it is. Any other Origin is passed on, and refused.
  const devOrigins = new Set(['127.0.0.1', 'localhost', '[::1]'].map((name) => `http://${name}:${port}`));
  const toBff = {
    target: bffUrl,
    changeOrigin: true,
    configure: (proxy: {
      on(event: 'proxyReq', listener: (request: ProxyRequest, incoming: IncomingMessage) => void): unknown;
    }) => {
      proxy.on('proxyReq', (request, incoming) => {
        const origin = incoming.headers.origin;
        if (origin !== undefined && devOrigins.has(origin)) request.setHeader('origin', bffUrl);
      });
    },
  };
  const vite = await createServer({
    root: rootDir,
    configFile: join(rootDir, 'vite.config.ts'),
    server: { host, port, strictPort: true, proxy: { '/api': toBff, '/healthz': toBff } },
  });
  try {
    await vite.listen();
  } catch (error) {
    await vite.close();
    throw error;
  }
  const url = vite.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? `http://${host}:${port}`;
  return { url, close: () => vite.close() };
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(path: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}
