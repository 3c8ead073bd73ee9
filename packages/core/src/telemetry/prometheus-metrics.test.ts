// Prometheus metrics from inference records, served over a real socket; a missing peer is a clear ConfigError.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import { importOptionalPeer } from './optional-peer.js';
import { metricsRoute, prometheusMetrics } from './prometheus-metrics.js';

const base = {
  v: 1, status: 200, outcome: 'success', api: 'chat', latency_ms: 120, ttft_ms: null, tenant_id: 'acme', model: 'gpt-4o-mini',
  input_tokens: 10, output_tokens: 5, cost_usd: 0.0004, reason: null, decision: {},
} as unknown as InferenceRecord;
const record = (extra: Partial<Record<keyof InferenceRecord, unknown>>) => ({ ...base, ...extra }) as InferenceRecord;

/** The value of one sample line `name{labels} value` in the exposition text. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('prometheusMetrics', () => {
  it('counts outcomes, auth failures, denials by rule, tokens and cost by tenant and model, and store errors', async () => {
    const metrics = await prometheusMetrics();
    metrics.requestFinished!(record({ stream: true, ttft_ms: 80 }), undefined as never);
    metrics.requestFinished!(record({ input_tokens: 30, output_tokens: 1, cost_usd: 0.0001 }), undefined as never);
    metrics.requestFinished!(record({ status: 401, outcome: 'denied', reason: 'TG_INVALID_CREDENTIAL', tenant_id: null, model: null, input_tokens: null, output_tokens: null, cost_usd: null, decision: { authn: { outcome: 'deny', reason: 'TG_INVALID_CREDENTIAL', method: 'api_key' }, refusal: { step: 'authenticate', code: 'TG_INVALID_CREDENTIAL', status: 401 } } }), undefined as never);
    metrics.requestFinished!(record({ status: 403, outcome: 'denied', reason: 'TG_POLICY_DENIED', input_tokens: null, output_tokens: null, cost_usd: null, decision: { authz: { allow: false, rule: 'no-gpt4-on-free' }, refusal: { step: 'authorize', code: 'TG_POLICY_DENIED', status: 403 } } }), undefined as never);
    metrics.requestFinished!(record({ status: 503, outcome: 'unavailable', input_tokens: null, output_tokens: null, cost_usd: null, decision: { refusal: { step: 'resolveTenant', code: 'TG_TENANT_STORE_UNAVAILABLE', status: 503 } } }), undefined as never);
    metrics.recordsDropped!('postgres', 3);
    metrics.sinkFailed!('postgres', new Error('x'));
    metrics.attach!({ sinks: () => [{ name: 'postgres', queued: 7, dropped: 3, healthy: false }] });
    const { status, headers, body } = await metrics.render();
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(body, 'tollgate_requests_total', 'outcome="success",status="200",api="chat"')).toBe(2);
    expect(sample(body, 'tollgate_auth_failures_total', 'reason="TG_INVALID_CREDENTIAL",method="api_key"')).toBe(1);
    expect(sample(body, 'tollgate_denials_total', 'step="authorize",code="TG_POLICY_DENIED",rule="no-gpt4-on-free"')).toBe(1);
    expect(sample(body, 'tollgate_tokens_total', 'tenant="acme",model="gpt-4o-mini",direction="input"')).toBe(40);
    expect(sample(body, 'tollgate_cost_usd_total', 'tenant="acme",model="gpt-4o-mini"')).toBeCloseTo(0.0005, 10);
    expect(sample(body, 'tollgate_store_errors_total', 'step="resolveTenant",code="TG_TENANT_STORE_UNAVAILABLE"')).toBe(1);
    expect(sample(body, 'tollgate_time_to_first_token_seconds_count', 'model="gpt-4o-mini"')).toBe(1);
    expect(sample(body, 'tollgate_request_duration_seconds_bucket', 'le="0.25",outcome="success"')).toBe(2);
    expect(sample(body, 'tollgate_audit_records_dropped_total', 'sink="postgres"')).toBe(3);
    expect(sample(body, 'tollgate_audit_sink_failures_total', 'sink="postgres"')).toBe(1);
    expect(sample(body, 'tollgate_audit_queue_depth', 'sink="postgres"')).toBe(7);
  });

  it('registers on the app’s registry with its prefix, and can leave the tenant label out', async () => {
    const registry = new Registry();
    const metrics = await prometheusMetrics({ registry, prefix: 'gw_', tenantLabel: false });
    metrics.requestFinished!(base, undefined as never);
    const text = await registry.metrics();
    expect(sample(text, 'gw_tokens_total', 'model="gpt-4o-mini",direction="output"')).toBe(5);
    expect(text).not.toContain('tenant="acme"');
    await expect(prometheusMetrics({ prefix: 'bad prefix' })).rejects.toThrow(/prefix/);
    await expect(prometheusMetrics({ latencyBuckets: [1, 0.5] })).rejects.toThrow(/latencyBuckets/);
  });

  it('serves the metrics on the route the app chooses, over a real socket', async () => {
    const metrics = await prometheusMetrics();
    metrics.requestFinished!(base, undefined as never);
    const server = createServer(metricsRoute(metrics)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('tollgate_requests_total{outcome="success",status="200",api="chat"} 1');
    } finally {
      server.close();
    }
  });

  it('backs every query of the Grafana dashboard in docs/ with a metric it defines', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const metrics = await prometheusMetrics();
    const defined = new Set((await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
    const used = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/tollgate_[a-z_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(defined.has(name.replace(/_(bucket|sum|count)$/, '')), name).toBe(true);
  });

  it('turns a missing optional peer into a ConfigError that says what to install', async () => {
    const missing = 'tollgate-test-no-such-package';
    await expect(importOptionalPeer(missing, 'prometheusMetrics()', () => import(/* @vite-ignore */ missing))).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining(`needs the optional peer dependency "${missing}", which is not installed: run \`npm install ${missing}\``),
    });
    const broken = new Error('syntax error in module');
    await expect(importOptionalPeer('x', 'y', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
