// docs/configuration.md stays true: its example file loads, and its error example is what loadConfig prints.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gate } from '../gate.js';
import { configSchema } from './config-schema.js';
import { loadConfig, parseConfig } from './load-config.js';
import { knownKeysAt } from './schema-paths.js';

const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');

/** The fenced code blocks of the doc in the given language ('' for plain fences), in order. */
function blocks(lang: string): string[] {
  const found: string[] = [];
  let current: { lang: string; lines: string[] } | undefined;
  for (const line of doc.split('\n')) {
    if (line.startsWith('```')) {
      if (current === undefined) current = { lang: line.slice(3).trim(), lines: [] };
      else {
        if (current.lang === lang) found.push(current.lines.join('\n'));
        current = undefined;
      }
    } else current?.lines.push(line);
  }
  return found;
}

describe('docs/configuration.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has an example file that loads', async () => {
    const example = blocks('yaml')[0]!;
    const options = parseConfig(example, { baseDir: dir, env: {} });
    expect(options.errors).toEqual({ format: 'openai', realm: 'api' });
    expect(options.authenticate.methods).toHaveLength(1);
    await gate(options).close();
  });

  it('shows the error message loadConfig really gives for its bad example', () => {
    const [, bad] = blocks('yaml');
    const shown = blocks('').find((b) => b.startsWith('ConfigError: Invalid configuration in ./tollgate.yaml'))!;
    writeFileSync(join(dir, 'tollgate.yaml'), bad!);
    expect(() => loadConfig(join(dir, 'tollgate.yaml'), { env: {} })).toThrow(shown.replace('ConfigError: ', '').replaceAll('./tollgate.yaml', join(dir, 'tollgate.yaml')).trimEnd());
  });

  it('documents every field of every section', () => {
    const sections: [string, (string | number)[], { type: string }?][] = [
      ['### Top level', []],
      ['### `errors`', ['errors']],
      ['### `requestId`', ['requestId']],
      ['### `body`', ['body']],
      ['### `authenticate`', ['authenticate']],
      ['### Method `type: apiKey`', ['authenticate', 'methods', 0], { type: 'apiKey' }],
      ['### Method `type: jwt`', ['authenticate', 'methods', 0], { type: 'jwt' }],
      ['### Method `type: introspection`', ['authenticate', 'methods', 0], { type: 'introspection' }],
      ['### Method `type: mtls`', ['authenticate', 'methods', 0], { type: 'mtls' }],
      ['### `inferenceLog`', ['inferenceLog']],
      ['### `inferenceLog`', ['inferenceLog', 'sinks', 0]],
      ['### `tenants`', ['tenants']],
      ['### `resolveTenant`', ['resolveTenant']],
      ['### `authorize`', ['authorize']],
      ['### `rateLimit`', ['rateLimit']],
      ['### Rate-limit rule', ['rateLimit', 'rules', 0]],
      ...(['redis', 'postgres'] as const).flatMap((type) =>
        [['authenticate', 'methods', 0, 'store'], ['tenants', 'store'], ['rateLimit', 'store']].map((path): [string, (string | number)[], { type: string }] => ['### Stores on a server', path, { type }]),
      ),
      ['### `models`', ['models', 'any-model']],
      ['### `validateRequest`', ['validateRequest']],
    ];
    for (const [heading, path, member] of sections) {
      const start = doc.indexOf(heading);
      expect(start, heading).toBeGreaterThan(-1);
      const section = doc.slice(start, doc.indexOf('\n### ', start + 1));
      for (const key of knownKeysAt(configSchema, path, member).filter((k) => k !== 'type')) {
        expect(section, `${heading} documents ${key}`).toMatch(new RegExp('\\| `' + key + '[.`]'));
      }
    }
  });
});
