// docs/auth-attacks.md and the attack tests agree: every row is tested exactly once, in the file it names, and nothing else is claimed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '@tollgate/core';
import { attackRows } from '../support/attack-table.js';

const root = new URL('../../', import.meta.url);
const testFiles = readdirSync(new URL('test/auth/', root)).filter((f) => f.endsWith('.test.ts')).map((f) => `test/auth/${f}`);
const uses = testFiles.flatMap((file) => [...readFileSync(new URL(file, root), 'utf8').matchAll(/attackTest\(\s*'([a-z0-9-]+)'/g)].map((m) => ({ id: m[1]!, file })));

describe('docs/auth-attacks.md', () => {
  const rows = attackRows();

  it('has a row for every attack the issue lists', () => {
    expect(rows.length).toBeGreaterThanOrEqual(45);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('names for each row a status and code that agree with the error table', () => {
    for (const row of rows) {
      if (row.code === undefined) {
        expect(row.status, row.id).toBe(200);
        continue;
      }
      expect(errorCodes[row.code as keyof typeof errorCodes]?.status, row.id).toBe(row.status);
    }
  });

  it('has every row tested exactly once, in the file the row names', () => {
    for (const row of rows) {
      const claimed = uses.filter((u) => u.id === row.id);
      expect(claimed.map((u) => u.file), row.id).toEqual([row.test]);
    }
  });

  it('lists every attack the tests perform', () => {
    const documented = new Set(rows.map((r) => r.id));
    expect(uses.filter((u) => !documented.has(u.id))).toEqual([]);
  });
});
