// Runs the real `tollgate` executable (from source, through tsx) as a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rememberLog } from '../support/secret-ledger.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Exit code and output of `tollgate <args>`, with `@tollgate/*` resolved to the sources (test/tsconfig.json paths). */
export function runTollgate(args: readonly string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${root}packages/cli/src/bin.ts`, ...args], {
      cwd,
      env: { ...process.env, TSX_TSCONFIG_PATH: `${root}test/tsconfig.json`, OPENAI_BASE_URL: '', OPENAI_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      rememberLog(`tollgate ${args.join(' ')}`, `${stdout}\n${stderr}`);
      resolve({ code, stdout, stderr });
    });
  });
}
