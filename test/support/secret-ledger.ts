// Collects, across the whole test run, every plaintext credential tests used and every log line
// produced, so the global teardown can prove no credential ever reached a log.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where the ledger lives; set by the global setup for every worker. */
export function ledgerDir(): string {
  const dir = process.env['TOLLGATE_SECRET_LEDGER'];
  if (dir === undefined || dir === '') throw new Error('TOLLGATE_SECRET_LEDGER is not set: run the tests through vitest with the global setup');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Records a credential a test used; it must appear in no log line of the run. */
export function rememberSecret(secret: string): void {
  appendFileSync(join(ledgerDir(), `secrets-${process.pid}.txt`), `${secret}\n`, { mode: 0o600 });
}

/**
 * Records log output (one or more lines) from a process a test started. Lines between
 * `allowFrom` and `allowTo` markers (the demo-key banner printed on purpose) are kept out.
 */
export function rememberLog(source: string, text: string): void {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return;
  appendFileSync(join(ledgerDir(), `logs-${process.pid}.jsonl`), lines.map((line) => JSON.stringify({ source, line })).join('\n') + '\n');
}
