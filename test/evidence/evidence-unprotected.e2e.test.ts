// `tollgate evidence` on an app of each framework with an inference route outside the gate: it fails, naming the route.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runTollgate } from './run-cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tollgate-evidence-open-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each([
  ['express', 'Express'],
  ['fastify', 'Fastify'],
  ['hono', 'Hono'],
  ['koa', 'Koa'],
])('tollgate evidence on a %s app with an unprotected inference route', (framework, name) => {
  it('exits 1 and names the route that answered without authentication', async () => {
    const dir = join(out, framework);
    const result = await runTollgate(['evidence', fixture(`unprotected-${framework}`), '--export', 'createEvidenceTarget', '--out', dir, '--date', '2026-01-02']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UNPROTECTED: POST /internal/generate answered 200 to a request without credentials');
    expect(result.stderr).not.toContain('/v1/chat/completions');
    const inventory = readFileSync(join(dir, 'endpoint-inventory-2026-01-02.md'), 'utf8');
    expect(inventory).toContain(`(${name}) at`);
    expect(inventory).toContain('| POST | `/internal/generate` | inference | public (no tollgate middleware) | — | 200 answered |');
    expect(inventory).toContain('| POST | `/v1/chat/completions` | inference | authenticated (tollgate) | api_key | 401 denied |');
    expect(inventory).toContain('**FAIL**: POST `/internal/generate` answered a request without credentials.');
    const denied = readFileSync(join(dir, 'denied-request-sample-2026-01-02.txt'), 'utf8');
    expect(denied).toContain('## POST /internal/generate: ANSWERED WITHOUT AUTHENTICATION (200)');
    expect(denied).toContain('generated without authentication');
    expect(denied).toContain('## POST /v1/chat/completions: DENIED (401)');
  });
});

describe('tollgate evidence arguments and modules', () => {
  it('counts a path named on the command line as an inference route', async () => {
    const result = await runTollgate(['evidence', fixture('unprotected-express'), '--export', 'createEvidenceTarget', '--out', out, '--inference', '/healthz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UNPROTECTED: GET /healthz answered 200');
  });

  it('exits 2 with the reason when the module cannot be used', async () => {
    const missing = await runTollgate(['evidence', fixture('unprotected-express'), '--export', 'nope', '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('exports none of "nope"');
    const usage = await runTollgate(['evidence', '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('name exactly one app module');
  });

  it('exits 2 naming the supported frameworks when the app is none of them', async () => {
    const result = await runTollgate(['evidence', fixture('not-an-app'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the module's app is not an Express 4/5, Fastify 5, Hono 4 or Koa 2/3 app (got an instance of Gateway)");
  });
});
