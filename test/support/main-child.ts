// A child process for the shutdown and restart tests: the composition root exactly as `npm start` runs it (same
// environment parsing, same signal handling), without the SPA (so no build is needed) unless MAIN_CHILD_SPA=1 asks
// for it (a browser test). Prints the ready line on stdout.
import { handleShutdownSignals, startViewerAdmin } from '../../src/main.ts';

const running = await startViewerAdmin(process.env, {
  spa: process.env.MAIN_CHILD_SPA === '1',
  print: (line) => process.stdout.write(`${line}\n`),
});
handleShutdownSignals(running);
