// Starts an example app as a real child process on a free port and captures everything it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rememberLog } from './secret-ledger.js';

/** A running example app. */
export interface RunningExample {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Waits until the output matches, or fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Stops the app (SIGTERM, then SIGKILL) and hands its log lines to the secret ledger. */
  stop(): Promise<void>;
}

/**
 * Runs `node --import tsx <entry>` in `cwd` with PORT=0 and waits for its `listening` log record.
 *
 * @example
 * const app = await spawnExample('examples/express-gateway', 'src/server.ts', {});
 */
export async function spawnExample(cwd: string, entry: string, env: Record<string, string>, options: { bannerLines?: RegExp } = {}): Promise<RunningExample> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', OPENAI_BASE_URL: '', OPENAI_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(text);
      if (match !== null) return match;
      if (child.exitCode !== null) throw new Error(`example exited with ${child.exitCode} before printing ${pattern}:\n${text}`);
      if (Date.now() > deadline) throw new Error(`example did not print ${pattern} within ${timeoutMs} ms:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const listening = await waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"listening"/);
  return {
    url: listening[1]!,
    process: child,
    output: () => text,
    waitFor,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      // The banner that prints the demo key on purpose is not a log record; everything else is.
      const lines = text.split('\n').filter((line) => options.bannerLines === undefined || !options.bannerLines.test(line));
      rememberLog(`${cwd}/${entry}`, lines.join('\n'));
    },
  };
}
