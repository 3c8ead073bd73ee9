// The hooks metrics and tracing plug into the inference log with; core itself needs neither library.
import type { TgContext } from '../context/tg-context.js';
import type { InferenceRecord } from '../inference-log/inference-record.js';

/** The state of one sink's delivery queue. */
export interface SinkStatus {
  readonly name: string;
  /** Records waiting to be written. */
  readonly queued: number;
  /** Records dropped since start (queue full, or still queued at close). */
  readonly dropped: number;
  /** False while the sink's writes fail. */
  readonly healthy: boolean;
}

/**
 * Receives what the inference log sees. Every hook is optional and must not throw (a throw is
 * reported to `onError` and ignored). `prometheusMetrics()` and `openTelemetryTracing()` implement it.
 */
export interface InferenceTelemetry {
  /** Called once when the log is built, with a way to read its sinks' state at any time. */
  attach?(source: { sinks(): readonly SinkStatus[] }): void;
  /** A request entered the log step (before authentication). */
  requestStarted?(context: TgContext): void;
  /** A request finished; its record is built (not yet written). */
  requestFinished?(record: InferenceRecord, context: TgContext): void;
  /** A sink dropped records. */
  recordsDropped?(sink: string, count: number): void;
  /** A sink's write failed (it will be retried). */
  sinkFailed?(sink: string, error: unknown): void;
}
