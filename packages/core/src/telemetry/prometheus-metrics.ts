// Prometheus metrics of the inference log, with prom-client (an optional peer dependency, loaded on demand).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RenderedResponse } from '../errors/render-error.js';
import { ConfigError } from '../errors/tollgate-error.js';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import type { InferenceTelemetry, SinkStatus } from './inference-telemetry.js';
import { importOptionalPeer } from './optional-peer.js';

/** The part of a prom-client `Registry` these metrics use. */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Options of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** A prom-client `Registry` to register on (e.g. the app's own). @default a new Registry */
  readonly registry?: MetricsRegistry;
  /** Prefix of every metric name. @default 'tollgate_' */
  readonly prefix?: string;
  /** Label tokens and cost by tenant; turn off with very many tenants. @default true */
  readonly tenantLabel?: boolean;
  /** Buckets of the latency histogram, in seconds. @default [0.005 … 120] */
  readonly latencyBuckets?: readonly number[];
  /** Buckets of the time-to-first-token histogram, in seconds. @default [0.05 … 30] */
  readonly ttftBuckets?: readonly number[];
}

/** Metrics that plug into `inferenceLog({ telemetry })` and render for a scrape. */
export interface PrometheusMetrics extends InferenceTelemetry {
  readonly registry: MetricsRegistry;
  /** The exposition text as a response (status 200, `content-type` of the registry). */
  render(): Promise<RenderedResponse>;
}

const defaultLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const defaultTtftBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
// The record's decision key for each step name, to find the rule a refusal names.
const decisionKeyOfStep: Readonly<Record<string, string>> = { authorize: 'authz', rateLimit: 'rate_limit', resolveTenant: 'tenant', validateRequest: 'validation', authenticate: 'authn' };

function ruleOf(record: InferenceRecord): string {
  const step = record.decision.refusal?.step;
  const decision = step === undefined ? undefined : record.decision[decisionKeyOfStep[step] ?? step];
  const rule = decision !== null && typeof decision === 'object' ? (decision as Record<string, unknown>)['rule'] : undefined;
  return typeof rule === 'string' ? rule.slice(0, 64) : '';
}

function checkBuckets(value: readonly number[] | undefined, name: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0 || value.some((b, i) => typeof b !== 'number' || !(b > 0) || (i > 0 && b <= value[i - 1]!))) {
    throw new ConfigError(`prometheusMetrics: ${name} must be increasing positive numbers`);
  }
  return [...value];
}

/**
 * Loads prom-client and defines the metrics: requests by outcome, auth failures by reason, denials by
 * step and rule, tokens and cost by tenant and model, latency and time-to-first-token histograms,
 * store errors, audit sink failures, dropped records and queue depth. See docs/metrics.md.
 *
 * @example
 * const metrics = await prometheusMetrics();
 * const tg = gate({ inferenceLog: { telemetry: [metrics] }, authenticate: { methods: [apiKey({ store })] } });
 * app.get('/internal/metrics', metricsRoute(metrics));
 */
export async function prometheusMetrics(options: PrometheusMetricsOptions = {}): Promise<PrometheusMetrics> {
  const prefix = options.prefix ?? 'tollgate_';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new ConfigError(`prometheusMetrics: prefix must be a valid metric name prefix; got ${JSON.stringify(prefix)}`);
  const latencyBuckets = checkBuckets(options.latencyBuckets, 'latencyBuckets', defaultLatencyBuckets);
  const ttftBuckets = checkBuckets(options.ttftBuckets, 'ttftBuckets', defaultTtftBuckets);
  const tenantLabel = options.tenantLabel ?? true;
  const client = await importOptionalPeer('prom-client', 'prometheusMetrics()', () => import('prom-client'));
  const registry = (options.registry ?? new client.Registry()) as InstanceType<typeof client.Registry>;
  const registers = [registry];
  const usageLabels = tenantLabel ? ['tenant', 'model'] : ['model'];
  let sinks: () => readonly SinkStatus[] = () => [];

  const requests = new client.Counter({ name: `${prefix}requests_total`, help: 'Requests through tollgate, by outcome, status and API.', labelNames: ['outcome', 'status', 'api'], registers });
  const authFailures = new client.Counter({ name: `${prefix}auth_failures_total`, help: 'Failed authentications, by reason (TG_* code) and method.', labelNames: ['reason', 'method'], registers });
  const denials = new client.Counter({ name: `${prefix}denials_total`, help: 'Requests refused by a step, by step, code and rule.', labelNames: ['step', 'code', 'rule'], registers });
  const tokens = new client.Counter({ name: `${prefix}tokens_total`, help: 'Model tokens, by direction (input, output), tenant and model.', labelNames: [...usageLabels, 'direction'], registers });
  const cost = new client.Counter({ name: `${prefix}cost_usd_total`, help: 'Model cost in USD, by tenant and model.', labelNames: usageLabels, registers });
  const latency = new client.Histogram({ name: `${prefix}request_duration_seconds`, help: 'Time from entering tollgate to the end of the response.', labelNames: ['outcome', 'api'], buckets: latencyBuckets, registers });
  const ttft = new client.Histogram({ name: `${prefix}time_to_first_token_seconds`, help: 'Time to the first byte of a streamed response.', labelNames: ['model'], buckets: ttftBuckets, registers });
  const storeErrors = new client.Counter({ name: `${prefix}store_errors_total`, help: 'Requests refused with 503 because a store, verifier, policy point or audit sink was unavailable.', labelNames: ['step', 'code'], registers });
  const sinkFailures = new client.Counter({ name: `${prefix}audit_sink_failures_total`, help: 'Failed audit sink writes (each is retried).', labelNames: ['sink'], registers });
  const dropped = new client.Counter({ name: `${prefix}audit_records_dropped_total`, help: 'Inference records dropped because a sink queue was full.', labelNames: ['sink'], registers });
  new client.Gauge({
    name: `${prefix}audit_queue_depth`,
    help: 'Inference records waiting to be written, by sink.',
    labelNames: ['sink'],
    registers,
    collect() {
      for (const sink of sinks()) this.set({ sink: sink.name }, sink.queued);
    },
  });

  const usageLabelsOf = (record: InferenceRecord) => (tenantLabel ? { tenant: record.tenant_id ?? 'none', model: record.model ?? 'unknown' } : { model: record.model ?? 'unknown' });

  return {
    registry,
    attach(source) {
      sinks = () => source.sinks();
    },
    requestFinished(record) {
      const api = record.api ?? 'none';
      requests.inc({ outcome: record.outcome, status: String(record.status), api });
      latency.observe({ outcome: record.outcome, api }, record.latency_ms / 1000);
      const authn = record.decision.authn;
      if (authn?.outcome === 'deny') authFailures.inc({ reason: authn.reason ?? 'unknown', method: authn.method ?? 'none' });
      const refusal = record.decision.refusal;
      if (refusal !== undefined) {
        denials.inc({ step: refusal.step, code: refusal.code, rule: ruleOf(record) });
        if (refusal.status === 503 && refusal.code !== 'TG_OVERLOADED') storeErrors.inc({ step: refusal.step, code: refusal.code });
      }
      const labels = usageLabelsOf(record);
      if (record.input_tokens !== null) tokens.inc({ ...labels, direction: 'input' }, record.input_tokens);
      if (record.output_tokens !== null) tokens.inc({ ...labels, direction: 'output' }, record.output_tokens);
      if (record.cost_usd !== null) cost.inc(labels, record.cost_usd);
      if (record.ttft_ms !== null) ttft.observe({ model: record.model ?? 'unknown' }, record.ttft_ms / 1000);
    },
    recordsDropped(sink, count) {
      dropped.inc({ sink }, count);
    },
    sinkFailed(sink) {
      sinkFailures.inc({ sink });
    },
    async render() {
      return { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' }, body: await registry.metrics() };
    },
  };
}

/**
 * A Node/Express request handler that serves the metrics. Mount it on the route you choose, and keep
 * that route off the public internet (or behind its own authentication).
 *
 * @example
 * app.get('/internal/metrics', metricsRoute(metrics));
 */
export function metricsRoute(metrics: Pick<PrometheusMetrics, 'render'>): (req: IncomingMessage, res: ServerResponse) => void {
  return function serveMetrics(_req, res) {
    metrics.render().then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics unavailable\n');
      },
    );
  };
}
