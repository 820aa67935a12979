// The BFF as `npm start` runs it (src/main.ts through test/support/main-child.ts), in a child process of its own: for
// tests that kill it (SIGKILL, no goodbye) and start it again on the same DATA_DIR, and the same port when a browser
// should find it again at the same address.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_OPERATOR } from './test-operator.ts';

export interface BffChild {
  url: string;
  process: ChildProcess;
  exited: Promise<unknown>;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** SIGKILL, then wait until it is gone (a no-op once it has exited). */
  kill(): Promise<void>;
}

/** Starts the child with `env` over a quiet, loopback default (port 0 unless `env.PORT` says); resolves when ready. */
export async function startBffChild(env: Record<string, string>): Promise<BffChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main-child.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_EMAIL: TEST_OPERATOR.email,
      ADMIN_PASSWORD: TEST_OPERATOR.password,
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The BFF did not start:\n${output}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Viewer Admin is ready at (\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', () => reject(new Error(`The BFF exited before it was ready:\n${output}`)));
    });
    return { url, process: child, exited, kill, output: () => output };
  } catch (error) {
    await kill();
    throw error;
  }
}
