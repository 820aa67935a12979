// A child process for the shutdown tests: the composition root exactly as `npm start` runs it (same environment
// parsing, same signal handling), minus the SPA (so no build is needed). Prints the ready line on stdout.
import { handleShutdownSignals, startViewerAdmin } from '../../src/main.ts';

const running = await startViewerAdmin(process.env, {
  spa: false,
  print: (line) => process.stdout.write(`${line}\n`),
});
handleShutdownSignals(running);
