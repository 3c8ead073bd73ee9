// Vitest global setup: creates the secret ledger before the run and, after it, fails the run if any
// credential a test used appears in any log line any test captured.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
  process.env['TOLLGATE_SECRET_LEDGER'] = dir;
  return () => {
    try {
      const files = readdirSync(dir);
      const secrets = new Set(files.filter((f) => f.startsWith('secrets-')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter((s) => s.length >= 16));
      const lines = files.filter((f) => f.startsWith('logs-')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter((l) => l !== '').map((l) => JSON.parse(l) as { source: string; line: string });
      const leaks: string[] = [];
      for (const { source, line } of lines) {
        for (const secret of secrets) {
          // Checking the last 49 characters (secret + checksum of an API key) also catches the whole key.
          const tail = secret.slice(-49);
          if (line.includes(tail)) leaks.push(`${source}: a credential appears in: ${line.replaceAll(tail, '<redacted>').slice(0, 200)}`);
        }
      }
      console.log(`secret ledger: scanned ${lines.length} log lines for ${secrets.size} credentials used by the tests; ${leaks.length} leaks`);
      // The full run (`pnpm test`) must exercise the scan; a run of a few files may record nothing.
      if ((lines.length === 0 || secrets.size === 0) && process.env['TOLLGATE_REQUIRE_SECRET_SCAN'] === '1') {
        throw new Error('secret ledger: nothing was recorded, so the scan proves nothing (did the e2e tests run?)');
      }
      if (leaks.length > 0) throw new Error(`credentials leaked into logs:\n${leaks.join('\n')}`);
    } catch (error) {
      // vitest reports a throwing teardown but still exits 0, so set the exit code ourselves.
      process.exitCode = 1;
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
