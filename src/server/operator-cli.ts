// `npm run operator -- add|disable|enable|reset-password|list`: manage operators in the database (DATABASE_URL's,
// else DATA_DIR's).
import { createAuditTrail } from './audit/audit-trail.ts';
import { runOperatorCommand, type CommandIo } from './auth/operator-commands.ts';
import { createOperatorService } from './auth/operator-service.ts';
import { createPasswordHasher } from './auth/password.ts';
import { ConfigError, parseStorage } from './config.ts';
import { openStore } from './store/open.ts';

/** Read a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const { stdin, stdout } = process;
  return new Promise((resolve, reject) => {
    let answer = '';
    stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stdout.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new Error('Cancelled.'));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else if (char >= ' ') answer += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<number> {
  let storage: ReturnType<typeof parseStorage>;
  try {
    storage = parseStorage(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const store = await openStore({
    dataDir: storage.dataDir,
    database: storage.databaseUrl === undefined ? undefined : { url: storage.databaseUrl, poolSize: 2 },
  });
  try {
    const service = createOperatorService({
      operators: store.operators,
      sessions: store.sessions,
      audit: createAuditTrail(store.audit),
      hasher: createPasswordHasher(),
    });
    const io: CommandIo = {
      out: (line) => console.log(line),
      err: (line) => console.error(line),
      promptPassword: process.stdin.isTTY ? promptHidden : undefined,
    };
    return await runOperatorCommand(process.argv.slice(2), service, io);
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
