// The inferenceLog step: one record per request, refused ones included, delivered to sinks in the background.
import { DeliveryQueue } from '../audit-sink/delivery-queue.js';
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import type { Step } from '../pipeline/step.js';
import type { ClosableStep } from '../gate.js';
import type { InferenceTelemetry, SinkStatus } from '../telemetry/inference-telemetry.js';
import { buildInferenceRecord } from './build-record.js';
import { promptOf, promptText } from './content-hash.js';
import { inferenceLogSettings, type InferenceLogOptions, type InferenceLogSettings } from './inference-log-options.js';
import { recordFieldNames, type InferenceRecord } from './inference-record.js';
import { observeOutput, type OutputObserver } from './output-observer.js';
import { safeValue } from './record-safety.js';

/** The inference log step, with its strict-mode admission step and delivery controls. */
export interface InferenceLogStep extends ClosableStep {
  readonly name: 'inferenceLog';
  /**
   * The strict-mode check when strictness depends on the tenant (`strict: { tenants, tenantTags }` or
   * a function): it must run once the tenant is known. `gate()` places it before `rateLimit`; in a
   * hand-built chain put it after `resolveTenant`. Undefined otherwise (`strict: true` is checked first thing).
   */
  readonly admission: Step | undefined;
  /** The state of each sink's queue (queued, dropped, healthy). */
  sinks(): readonly SinkStatus[];
  /** Calls `listener` with every record as it is built (before delivery); returns the unsubscribe function. */
  subscribe(listener: (record: InferenceRecord) => void): () => void;
  /** Resolves true once every queued record is written, false after `timeoutMs` (default 5000). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Writes what is queued (up to `delivery.closeTimeoutMs`) and closes the sinks. */
  close(): Promise<void>;
}

interface RequestState {
  readonly startedAtMs: number;
  output?: OutputObserver;
  reserved?: ReadonlySet<DeliveryQueue>;
}

function telemetryCall(settings: InferenceLogSettings, call: (t: InferenceTelemetry) => void): void {
  for (const telemetry of settings.telemetry) {
    try {
      call(telemetry);
    } catch (error) {
      settings.onError(error);
    }
  }
}

/**
 * Builds the inference log. Place it first (gate() does) so it also records refused requests.
 *
 * @example
 * const log = inferenceLog({ sinks: [pinoAuditSink({ destination: { path: './audit.log' } })], chain: true });
 * const tg = gate({ inferenceLog: log, authenticate: { methods: [apiKey({ store })] } });
 */
export function inferenceLog(options: InferenceLogOptions = {}): InferenceLogStep {
  const settings = inferenceLogSettings(options);
  const { capture, hasher, delivery } = settings;
  const queues = settings.sinks.map(
    (sink) =>
      new DeliveryQueue({
        sink,
        maxQueue: delivery.maxQueue,
        batchSize: delivery.batchSize,
        lingerMs: delivery.lingerMs,
        chain: settings.chain,
        retry: { minMs: delivery.retryMinMs, maxMs: delivery.retryMaxMs },
        writeTimeoutMs: delivery.writeTimeoutMs,
        onDropped: (count) => telemetryCall(settings, (t) => t.recordsDropped?.(sink.name, count)),
        onError: (error) => {
          settings.onError(new Error(`audit sink "${sink.name}" failed; the batch will be retried`, { cause: error }));
          telemetryCall(settings, (t) => t.sinkFailed?.(sink.name, error));
        },
      }),
  );
  const states = new WeakMap<TgContext, RequestState>();
  const listeners = new Set<(record: InferenceRecord) => void>();
  const sinks = (): SinkStatus[] => queues.map((q) => ({ name: q.sink.name, queued: q.depth, dropped: q.dropped, healthy: q.isHealthy }));
  telemetryCall(settings, (t) => t.attach?.({ sinks }));

  const stateOf = (context: TgContext): RequestState => {
    let state = states.get(context);
    if (state === undefined) {
      state = { startedAtMs: Date.now() - (performance.now() - context.startedAt) };
      states.set(context, state);
    }
    return state;
  };

  /** Strict mode: reserve room in every sink before the handler runs, or refuse with 503. */
  const admit = (context: TgContext): void => {
    const state = stateOf(context);
    if (state.reserved !== undefined || settings.strict === undefined || !settings.strict(context)) return;
    const taken: DeliveryQueue[] = [];
    for (const queue of queues) {
      if (!queue.reserve()) {
        for (const q of taken) q.release();
        context.decisions['audit'] = { strict: true, admitted: false, sink: queue.sink.name };
        throw new TollgateError('TG_AUDIT_UNAVAILABLE', { retryAfterSeconds: 1 });
      }
      taken.push(queue);
    }
    state.reserved = new Set(taken);
    context.decisions['audit'] = { strict: true, admitted: true };
  };

  const appFields = (context: TgContext): Record<string, unknown> | undefined => {
    if (settings.fields === undefined) return undefined;
    try {
      const extra = safeValue(settings.fields(context) ?? {}, { maxStringLength: settings.maxFieldLength, maxDepth: 5, maxEntries: 50 });
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries((extra ?? {}) as Record<string, unknown>)) {
        if (recordFieldNames.has(key)) settings.onError(new Error(`inferenceLog.fields: "${key}" is a field of the record itself and was left out`));
        else out[key] = value;
      }
      return out;
    } catch (error) {
      settings.onError(error);
      return undefined;
    }
  };

  const noPrompt = { hash: null, raw: undefined } as const;
  const prompt = async (context: TgContext): Promise<{ hash: string | null; raw: string | undefined }> => {
    // Only a body a step already read: the log never reads a body itself.
    if (capture.prompt === 'none' || !context.request.bodyRequested) return noPrompt;
    let body: unknown;
    try {
      body = await context.request.json();
    } catch {
      return noPrompt;
    }
    const picked = promptOf(body);
    if (picked === undefined) return noPrompt;
    const text = promptText(picked);
    if (capture.prompt === 'hash') return { hash: hasher.hash(text), raw: undefined };
    const cut = Buffer.from(text, 'utf8').subarray(0, capture.maxBytes).toString('utf8');
    return { hash: hasher.hash(text), raw: cut.length < text.length ? `${cut}…` : cut };
  };

  return {
    name: 'inferenceLog',
    requires: [],
    admission: settings.strict === undefined || settings.strictAlways ? undefined : { name: 'inferenceLogAdmission', requires: ['inferenceLog'], run: admit },
    run(context) {
      stateOf(context);
      telemetryCall(settings, (t) => t.requestStarted?.(context));
      if (settings.strictAlways) admit(context);
    },
    observeResponse(context) {
      if (capture.output === 'none') return undefined;
      const state = stateOf(context);
      state.output = observeOutput(hasher, capture.output === 'raw' ? capture.maxBytes : 0);
      return state.output.observer;
    },
    async finish(context, outcome) {
      const state = stateOf(context);
      // Dropped now, not left to the GC: a WeakMap entry that outlives its request makes every young
      // collection slower and drags the request's objects into the old generation.
      states.delete(context);
      let record: InferenceRecord;
      try {
        const promptPart = await prompt(context);
        record = buildInferenceRecord({
          context,
          outcome,
          startedAtMs: state.startedAtMs,
          endedAt: performance.now(),
          observed: state.output?.result(),
          promptHash: promptPart.hash,
          promptRaw: promptPart.raw,
          hashKeyId: hasher.keyId,
          maxFieldLength: settings.maxFieldLength,
        });
        const extra = appFields(context);
        if (extra !== undefined) record = { ...record, ...extra };
      } catch (error) {
        // Never leave a strict reservation behind, or the queue would shrink for good.
        for (const queue of state.reserved ?? []) queue.release();
        throw error;
      }
      for (const queue of queues) queue.enqueue(record, state.reserved?.has(queue) ?? false);
      telemetryCall(settings, (t) => t.requestFinished?.(record, context));
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (error) {
          settings.onError(error);
        }
      }
    },
    sinks,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async flush(timeoutMs = 5_000) {
      const results = await Promise.all(queues.map((q) => q.flush(timeoutMs)));
      return results.every(Boolean);
    },
    async close() {
      await Promise.all(queues.map((q) => q.close(delivery.closeTimeoutMs)));
    },
  };
}
