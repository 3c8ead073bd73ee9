// docs/auth-attacks.md is the list of attacks and what each gets; attack tests take their expected outcome from it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { AuthResult } from './auth-app.js';

/** One row of the table. */
export interface AttackRow {
  readonly id: string;
  readonly attack: string;
  /** The HTTP status the attack gets. */
  readonly status: number;
  /** The `tg_code` it gets (`—` for a success). */
  readonly code: string | undefined;
  /** The test file (relative to the repo) that proves it. */
  readonly test: string;
}

export const attackDocPath = new URL('../../docs/auth-attacks.md', import.meta.url);

/** Parses the table rows: `| \`id\` | attack | status | \`code\` | \`test file\` |`. */
export function attackRows(): AttackRow[] {
  const rows: AttackRow[] = [];
  for (const line of readFileSync(attackDocPath, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const id = /^`([a-z0-9-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (id === undefined || cells.length < 7) continue;
    const code = /^`(TG_[A-Z_]+)`$/.exec(cells[4]!)?.[1];
    rows.push({ id, attack: cells[2]!, status: Number(cells[3]), code, test: /^`(.+)`$/.exec(cells[5]!)?.[1] ?? '' });
  }
  return rows;
}

/** The row for `id`; throws when the doc has none. */
export function attackRow(id: string): AttackRow {
  const row = attackRows().find((r) => r.id === id);
  if (row === undefined) throw new Error(`docs/auth-attacks.md has no row for "${id}"`);
  return row;
}

/** Asserts that a response is exactly what the doc says the attack gets. */
export function expectOutcome(id: string, result: AuthResult | readonly AuthResult[]): void {
  const row = attackRow(id);
  for (const one of Array.isArray(result) ? result : [result]) {
    expect({ id, status: one.status, code: one.code }).toEqual({ id, status: row.status, code: row.code });
  }
}

/**
 * Registers the test of one attack, titled from the doc; `run` performs the attack and returns the
 * response(s), whose status and code must match the doc's row.
 *
 * @example
 * attackTest('alg-none', async () => app.bearer(unsignedToken));
 */
export function attackTest(id: string, run: () => Promise<AuthResult | readonly AuthResult[]>, timeout?: number): void {
  const row = attackRow(id);
  it(`${id}: ${row.attack}`, async () => expectOutcome(id, await run()), timeout);
}
