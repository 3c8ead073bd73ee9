// docs/errors.md must list every error code with the status and OpenAI code the table in core gives it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '@tollgate/core';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, spec] of Object.entries(errorCodes)) {
    it(`documents ${code} as ${spec.status} ${spec.code}`, () => {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, `no row for ${code}`).toBeDefined();
      expect(row).toContain(`| ${spec.status} |`);
      expect(row).toContain(`\`${spec.code}\``);
    });
  }
});
