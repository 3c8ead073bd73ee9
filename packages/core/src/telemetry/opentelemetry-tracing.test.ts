// OpenTelemetry spans: one per request, GenAI attribute names, error status only for server-side failures.
import { describe, expect, it } from 'vitest';
import { createContext, type TgContext } from '../context/tg-context.js';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import { createRequest } from '../request/tg-request.js';
import { openTelemetryTracing, type SpanAttributes, type TracingTracer } from './opentelemetry-tracing.js';

interface RecordedSpan { name: string; attributes: SpanAttributes; status?: { code: number; message?: string }; ended: boolean; startTime?: number }

/** A tracer that keeps its spans in memory, as an SDK exporter would receive them. */
function recordingTracer(): TracingTracer & { spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  return {
    spans,
    startSpan(name, options) {
      const span: RecordedSpan = { name, attributes: {}, ended: false, ...(options?.startTime === undefined ? {} : { startTime: options.startTime }) };
      spans.push(span);
      return {
        updateName: (next: string) => void (span.name = next),
        setAttributes: (attributes: SpanAttributes) => void Object.assign(span.attributes, attributes),
        setStatus: (status: { code: number; message?: string }) => void (span.status = status),
        end: () => void (span.ended = true),
      };
    },
  };
}

function context(): TgContext {
  const request = createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
  const ctx = createContext({ requestId: 'req_1', request, clientIp: '127.0.0.1', requestIdHeader: 'x-request-id' }).context;
  ctx.inference = { api: 'chat', stream: true, maxTokens: 64, n: 1, toolCount: 0, messageCount: 1, promptTokens: 9 };
  return ctx;
}

const record = (extra: Record<string, unknown> = {}) => ({
  v: 1, ts: '2026-01-01T00:00:00.000Z', request_id: 'req_1', method: 'POST', route: '/v1/chat/completions', status: 200, outcome: 'success', api: 'chat',
  provider: 'openai', model: 'gpt-4o-mini', model_requested: 'fast', input_tokens: 9, output_tokens: 4, tenant_id: 'acme', key_id: 'k1',
  auth_method: 'api_key', reason: null, cost_usd: 0.00001, ttft_ms: 42, stream: true, aborted: false, decision: {}, ...extra,
}) as unknown as InferenceRecord;

describe('openTelemetryTracing', () => {
  it('opens a span when the request enters and ends it with GenAI attributes when it finishes', async () => {
    const tracer = recordingTracer();
    const tracing = await openTelemetryTracing({ tracer });
    const ctx = context();
    tracing.requestStarted!(ctx);
    expect(tracer.spans).toHaveLength(1);
    expect(tracer.spans[0]!.ended).toBe(false);
    tracing.requestFinished!(record(), ctx);
    const [span] = tracer.spans;
    expect(span).toMatchObject({ name: 'chat gpt-4o-mini', ended: true });
    expect(span!.status).toBeUndefined();
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'fast', 'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 64, 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 4,
      'http.request.method': 'POST', 'http.route': '/v1/chat/completions', 'http.response.status_code': 200, 'tollgate.tenant_id': 'acme',
    });
    expect(Object.keys(span!.attributes).some((k) => /prompt|output_sha|authorization/.test(k))).toBe(false);
  });

  it('marks server-side failures as errors but not refusals, and traces a request it did not see start', async () => {
    const tracer = recordingTracer();
    const tracing = await openTelemetryTracing({ tracer });
    const denied = context();
    tracing.requestStarted!(denied);
    tracing.requestFinished!(record({ status: 401, outcome: 'denied', reason: 'TG_MISSING_CREDENTIAL', model: null, api: null }), denied);
    expect(tracer.spans[0]).toMatchObject({ name: 'tollgate POST /v1/chat/completions', attributes: { 'error.type': 'TG_MISSING_CREDENTIAL' } });
    expect(tracer.spans[0]!.status).toBeUndefined();
    tracing.requestFinished!(record({ status: 502, outcome: 'upstream_error' }), context());
    expect(tracer.spans[1]).toMatchObject({ ended: true, startTime: Date.parse('2026-01-01T00:00:00.000Z'), status: { code: 2, message: 'status 502' } });
  });
});
