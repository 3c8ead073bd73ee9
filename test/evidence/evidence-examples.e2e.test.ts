// `tollgate evidence` run as a process on each example gateway: every route listed, inference routes denied without a key, a tenant-attributed record, no credential in any file.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '@tollgate/core';
import { collectEvidence, evidenceFiles, loadEvidenceTarget } from '@tollgate/cli';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';
import { runTollgate } from './run-cli.js';

const date = '2026-05-15';
const out = mkdtempSync(join(tmpdir(), 'tollgate-evidence-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const protectedRows = [
  '| POST | `/v1/chat/completions` | inference | authenticated (tollgate) | api_key | 401 denied |',
  '| POST | `/v1/embeddings` | inference | authenticated (tollgate) | api_key | 401 denied |',
  '| GET | `/v1/models` | other | authenticated (tollgate) | api_key | 401 denied |',
];
const healthRow = '| GET | `/healthz` | other | public (no tollgate middleware) | — | 200 answered |';

// Koa answers /healthz in a plain middleware, which has no route to read: the inventory says so instead.
const examples = [
  { framework: 'Express', dir: 'express-gateway', rows: [healthRow, ...protectedRows], unlisted: undefined },
  { framework: 'Fastify', dir: 'fastify-gateway', rows: [healthRow, ...protectedRows], unlisted: undefined },
  { framework: 'Hono', dir: 'hono-gateway', rows: [healthRow, ...protectedRows], unlisted: undefined },
  { framework: 'Koa', dir: 'koa-gateway', rows: protectedRows, unlisted: 'app middleware #1, #2, #3, #6, #7 (functions that are not routers)' },
];

describe.each(examples)('tollgate evidence on examples/$dir', ({ framework, dir, rows, unlisted }) => {
  const module = fileURLToPath(new URL(`../../examples/${dir}/src/evidence.ts`, import.meta.url));
  const outDir = join(out, dir);
  let result: Awaited<ReturnType<typeof runTollgate>>;
  let files: Map<string, string>;

  beforeAll(async () => {
    result = await runTollgate(['evidence', module, '--out', outDir, '--date', date]);
    files = new Map(readdirSync(outDir).map((name) => [name, readFileSync(join(outDir, name), 'utf8')]));
    rememberLog(`tollgate evidence files of ${dir}`, [...files.values()].join('\n'));
  }, 60_000);

  it('exits 0 and writes the four dated files', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${rows.length} routes, 2 inference routes; wrote 4 files`);
    expect(result.stdout).toContain('tenant attribution: demo');
    expect([...files.keys()].sort()).toEqual([`denied-request-sample-${date}.txt`, `endpoint-inventory-${date}.md`, `gateway-auth-config-${date}.json`, `tenant-attribution-sample-${date}.json`]);
  });

  it('lists every route, marking the inference routes protected by the API-key gate', () => {
    const inventory = files.get(`endpoint-inventory-${date}.md`)!;
    expect(inventory).toContain(`(${framework}) at`);
    expect(inventory.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| method'))).toEqual(rows);
    expect(inventory).toContain('All 2 inference routes refused a request without credentials');
    if (unlisted === undefined) expect(inventory).not.toContain('Not listed');
    else expect(inventory).toContain(`Not listed, because their routes cannot be read (they may still answer requests): ${unlisted}.`);
  });

  it('keeps the real 401 exchange with each inference route as the denial proof', () => {
    const denied = files.get(`denied-request-sample-${date}.txt`)!;
    expect(denied).toContain('## POST /v1/chat/completions: DENIED (401)');
    expect(denied).toContain('## POST /v1/embeddings: DENIED (401)');
    expect(denied).toMatch(/< HTTP\/1\.1 401 Unauthorized\n(< .*\n)*< www-authenticate: Bearer realm="tollgate-example"/);
    expect(denied).toContain('"tg_code":"TG_MISSING_CREDENTIAL"');
    expect(denied).not.toContain('> authorization');
  });

  it('describes the gate per endpoint, and samples a record attributed to the key’s tenant', () => {
    const config = JSON.parse(files.get(`gateway-auth-config-${date}.json`)!) as { framework: string; pipelines: unknown[]; endpoints: { path: string; auth_methods: string[] }[] };
    expect(config.framework).toBe(framework.toLowerCase());
    expect(config.pipelines).toEqual([{ id: 'pipeline-1', steps: ['inferenceLog', 'authenticate', 'resolveTenant', 'validateRequest', 'authorize', 'rateLimit'], authentication: [{ method: 'api_key', credential_headers: ['authorization: Bearer', 'x-api-key'] }] }]);
    expect(config.endpoints.find((e) => e.path === '/v1/embeddings')?.auth_methods).toEqual(['api_key']);
    const sample = JSON.parse(files.get(`tenant-attribution-sample-${date}.json`)!) as { response_status: number; attribution: Record<string, unknown>; record: Record<string, unknown> };
    expect(sample.response_status).toBe(200);
    expect(sample.attribution).toMatchObject({ tenant_id: 'demo', user_id: 'evidence-user', auth_method: 'api_key', key_id: expect.any(String) });
    expect(sample.record).toMatchObject({ tenant_id: 'demo', endpoint: '/v1/chat/completions', status: 200, outcome: 'success', input_tokens: expect.any(Number) });
  });

  it('writes no credential into any file', () => {
    const all = [...files.values()].join('\n');
    const keyId = (JSON.parse(files.get(`tenant-attribution-sample-${date}.json`)!) as { attribution: { key_id: string } }).attribution.key_id;
    expect(all).not.toContain(`_${keyId}_`);
    expect(new RegExp(apiKeyPattern.source).test(all)).toBe(false);
    expect(all).toContain('"credential": "[redacted]"');
  });
});

describe.each(examples)('the evidence API in process on examples/$dir', ({ dir }) => {
  it('takes the sample with the module’s own key and writes that key into no file', async () => {
    const target = await loadEvidenceTarget(fileURLToPath(new URL(`../../examples/${dir}/src/evidence.ts`, import.meta.url)));
    const key = target.credential!.value;
    rememberSecret(key);
    try {
      const evidence = await collectEvidence(target, { moduleDir: fileURLToPath(new URL(`../../examples/${dir}/src/`, import.meta.url)) });
      expect(evidence.unprotected).toEqual([]);
      expect(evidence.attribution?.record.tenant_id).toBe('demo');
      const written = evidenceFiles(evidence, { module: 'src/evidence.ts', date, authConfig: target.authConfig, secrets: [key] }).map((f) => f.content).join('\n');
      rememberLog(`tollgate evidence files of ${dir} (in process)`, written);
      expect(written).not.toContain(key);
      // The last safeguard had nothing to replace: the key never reached the files' text.
      expect(evidenceFiles(evidence, { module: 'src/evidence.ts', date, authConfig: target.authConfig, secrets: [] }).map((f) => f.content).join('\n')).toBe(written);
    } finally {
      await target.close?.();
    }
  });
});
