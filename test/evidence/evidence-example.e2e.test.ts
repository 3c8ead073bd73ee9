// `tollgate evidence` on examples/express-gateway: every route listed, inference routes denied without a key, a tenant-attributed record.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '@tollgate/core';
import { collectEvidence, evidenceFiles, loadEvidenceTarget, type CollectedEvidence, type EvidenceFile, type EvidenceTarget } from '@tollgate/cli';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';
import { runTollgate } from './run-cli.js';

const exampleModule = fileURLToPath(new URL('../../examples/express-gateway/src/evidence.ts', import.meta.url));
const date = '2026-05-15';
const out = mkdtempSync(join(tmpdir(), 'tollgate-evidence-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tollgate evidence on examples/express-gateway', () => {
  let target: EvidenceTarget;
  let evidence: CollectedEvidence;
  let files: Map<string, string>;

  beforeAll(async () => {
    target = await loadEvidenceTarget(exampleModule);
    rememberSecret(target.credential!.value);
    try {
      evidence = await collectEvidence(target);
      const written: EvidenceFile[] = evidenceFiles(evidence, { module: 'src/evidence.ts', date, authConfig: target.authConfig, secrets: [target.credential!.value] });
      files = new Map(written.map((f) => [f.name, f.content]));
      rememberLog('tollgate evidence files', written.map((f) => f.content).join('\n'));
    } finally {
      await target.close?.();
    }
  });

  it('lists every route, marking the public one and the ones behind the API-key gate', () => {
    const rows = evidence.routes.map((r) => [r.method, r.path, r.inference, r.authMethods.join(','), r.probe?.status]);
    expect(rows).toEqual([
      ['GET', '/healthz', false, '', 200],
      ['POST', '/v1/chat/completions', true, 'api_key', 401],
      ['POST', '/v1/embeddings', true, 'api_key', 401],
      ['GET', '/v1/models', false, 'api_key', 401],
    ]);
    expect(evidence.unprotected).toEqual([]);
    const inventory = files.get(`endpoint-inventory-${date}.md`)!;
    expect(inventory).toContain('| POST | `/v1/chat/completions` | inference | authenticated (tollgate) | api_key | 401 denied |');
    expect(inventory).toContain('| GET | `/healthz` | other | public (no tollgate middleware) | — | 200 answered |');
    expect(inventory).toContain('All 2 inference routes refused a request without credentials');
  });

  it('keeps the real exchange with each inference route as the denial proof', () => {
    const denied = files.get(`denied-request-sample-${date}.txt`)!;
    expect(denied).toContain('## POST /v1/chat/completions: DENIED (401)');
    expect(denied).toContain('## POST /v1/embeddings: DENIED (401)');
    expect(denied).toMatch(/< HTTP\/1\.1 401 Unauthorized\n(< .*\n)*< www-authenticate: Bearer realm="tollgate-example"/);
    expect(denied).toContain('"tg_code":"TG_MISSING_CREDENTIAL"');
    expect(denied).not.toContain('> authorization');
  });

  it('describes the gate per endpoint, and samples a record attributed to the key’s tenant', () => {
    const config = JSON.parse(files.get(`gateway-auth-config-${date}.json`)!) as { pipelines: { steps: string[]; authentication: unknown[] }[]; endpoints: { path: string; auth_methods: string[] }[] };
    expect(config.pipelines).toEqual([{ id: 'pipeline-1', steps: ['inferenceLog', 'authenticate', 'resolveTenant', 'validateRequest', 'authorize', 'rateLimit'], authentication: [{ method: 'api_key', credential_headers: ['authorization: Bearer', 'x-api-key'] }] }]);
    expect(config.endpoints.find((e) => e.path === '/v1/embeddings')?.auth_methods).toEqual(['api_key']);
    const sample = JSON.parse(files.get(`tenant-attribution-sample-${date}.json`)!) as { response_status: number; attribution: Record<string, unknown>; record: Record<string, unknown> };
    expect(sample.response_status).toBe(200);
    expect(sample.attribution).toMatchObject({ tenant_id: 'demo', user_id: 'evidence-user', auth_method: 'api_key', key_id: expect.any(String) });
    expect(sample.record).toMatchObject({ tenant_id: 'demo', endpoint: '/v1/chat/completions', status: 200, outcome: 'success', input_tokens: expect.any(Number) });
  });

  it('writes no credential into any file', () => {
    const all = [...files.values()].join('\n');
    expect(all).not.toContain(target.credential!.value);
    expect(new RegExp(apiKeyPattern.source).test(all)).toBe(false);
  });

  it('as a command writes the four dated files and exits 0', async () => {
    const result = await runTollgate(['evidence', exampleModule, '--out', out, '--date', date]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 routes, 2 inference routes; wrote 4 files/);
    expect(result.stdout).toContain('tenant attribution: demo');
    expect(readdirSync(out).sort()).toEqual([`denied-request-sample-${date}.txt`, `endpoint-inventory-${date}.md`, `gateway-auth-config-${date}.json`, `tenant-attribution-sample-${date}.json`]);
    const written = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(new RegExp(apiKeyPattern.source).test(written)).toBe(false);
  });
});
