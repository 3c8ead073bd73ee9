// OpenTelemetry spans for inference requests, with the GenAI semantic-convention attribute names.
import type { TgContext } from '../context/tg-context.js';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import type { InferenceTelemetry } from './inference-telemetry.js';
import { importOptionalPeer } from './optional-peer.js';

/** Span attributes: what `span.setAttributes` takes. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** The part of an OpenTelemetry `Span` used here (kept structural, so core's types need no peer). */
export interface TracingSpan {
  updateName(name: string): unknown;
  setAttributes(attributes: SpanAttributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` used here. */
export interface TracingTracer {
  startSpan(name: string, options?: { kind?: number; startTime?: number }, context?: unknown): TracingSpan;
}

/** Options of {@link openTelemetryTracing}. */
export interface OpenTelemetryTracingOptions {
  /** The tracer to use. @default trace.getTracer('@tollgate/core') from the global provider */
  readonly tracer?: TracingTracer;
}

// GenAI `gen_ai.operation.name` for each API validateRequest recognises.
const operationOfApi: Readonly<Record<string, string>> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  responses: 'chat',
  anthropic_messages: 'chat',
};

/**
 * The attributes of a finished request's span: GenAI conventions (`gen_ai.*`) for the model call,
 * HTTP conventions for the request, `tollgate.*` for the rest. Never prompts, outputs or credentials.
 *
 * @example
 * span.setAttributes(spanAttributes(record, context));
 */
export function spanAttributes(record: InferenceRecord, context: TgContext | undefined): SpanAttributes {
  const attributes: SpanAttributes = {
    'http.request.method': record.method,
    'http.response.status_code': record.status,
    'tollgate.request_id': record.request_id,
    'tollgate.outcome': record.outcome,
    'tollgate.stream': record.stream,
  };
  const set = (name: string, value: string | number | boolean | null | undefined) => {
    if (value !== null && value !== undefined) attributes[name] = value;
  };
  set('http.route', record.route);
  const operation = record.api === null ? undefined : operationOfApi[record.api];
  set('gen_ai.operation.name', operation);
  set('gen_ai.provider.name', record.provider);
  set('gen_ai.request.model', record.model_requested);
  set('gen_ai.response.model', record.model);
  set('gen_ai.request.max_tokens', context?.inference?.maxTokens);
  set('gen_ai.usage.input_tokens', record.input_tokens);
  set('gen_ai.usage.output_tokens', record.output_tokens);
  set('tollgate.tenant_id', record.tenant_id);
  set('tollgate.key_id', record.key_id);
  set('tollgate.auth_method', record.auth_method);
  set('tollgate.refusal.code', record.reason);
  set('tollgate.refusal.step', record.decision.refusal?.step);
  set('tollgate.cost_usd', record.cost_usd);
  set('tollgate.ttft_ms', record.ttft_ms);
  set('tollgate.aborted', record.aborted);
  if (record.outcome !== 'success') set('error.type', record.reason ?? String(record.status));
  return attributes;
}

/** The span name: `{operation} {model}` per the GenAI conventions, or the route when there is no model. */
function spanName(record: InferenceRecord): string {
  const operation = record.api === null ? undefined : operationOfApi[record.api];
  if (operation !== undefined && record.model !== null) return `${operation} ${record.model}`;
  return `tollgate ${record.method} ${record.route ?? 'request'}`;
}

/**
 * Loads `@opentelemetry/api` and traces each request with one span, from the moment it enters
 * tollgate to the end of the response. The span is a child of the active span (the HTTP server span
 * of your instrumentation). Without a registered SDK the API is a no-op, so this costs nothing.
 *
 * @example
 * const tracing = await openTelemetryTracing();
 * const tg = gate({ inferenceLog: { telemetry: [tracing] }, authenticate: { methods: [apiKey({ store })] } });
 */
export async function openTelemetryTracing(options: OpenTelemetryTracingOptions = {}): Promise<InferenceTelemetry> {
  const api = await importOptionalPeer('@opentelemetry/api', 'openTelemetryTracing()', () => import('@opentelemetry/api'));
  const tracer: TracingTracer = options.tracer ?? api.trace.getTracer('@tollgate/core');
  const spans = new WeakMap<TgContext, TracingSpan>();
  // Server-side failures; a refusal (401, 403, 429) is tollgate working, not an error.
  const failed = new Set(['error', 'upstream_error', 'unavailable']);
  return {
    requestStarted(context) {
      const span = tracer.startSpan(`tollgate ${context.request.method}`, { kind: api.SpanKind.INTERNAL }, api.context.active());
      spans.set(context, span);
    },
    requestFinished(record, context) {
      let span = spans.get(context);
      spans.delete(context);
      span ??= tracer.startSpan('tollgate', { kind: api.SpanKind.INTERNAL, startTime: Date.parse(record.ts) });
      span.updateName(spanName(record));
      span.setAttributes(spanAttributes(record, context));
      if (failed.has(record.outcome)) span.setStatus({ code: api.SpanStatusCode.ERROR, message: record.reason ?? `status ${record.status}` });
      span.end();
    },
  };
}
