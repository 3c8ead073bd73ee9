// The messages between the harness and an app process, over the fork IPC channel.

/** The request an app is driven with. */
export interface RequestTemplate {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Event-loop delay percentiles, in milliseconds. */
export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** What an app process spent since the last reset, in milliseconds. */
export interface ProcessUsage {
  /** CPU time, user and system, of every thread of the process. */
  readonly cpuMs: number;
  /** Garbage-collection pauses of the main thread. */
  readonly gcMs: number;
  readonly wallMs: number;
}

/** The flood's two kinds of well-formed bad key (right format and checksum). */
export interface FloodCredentials {
  /** Real key ids, wrong secrets: each one costs argon2 a verification (or is shed by its queue). */
  readonly wrongSecret: readonly string[];
  /** Key ids the store does not hold: refused at the lookup, before argon2 (the flood's control). */
  readonly unknownKey: readonly string[];
}

/** What the harness asks an app process. */
export type Query = 'reset' | 'event-loop' | 'usage' | 'counters' | 'handler-latency' | 'bad-credentials' | 'stop';

/** Latency of the requests that reached the route handler, measured inside the app, in milliseconds. */
export interface HandlerLatency {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Harness to app process. */
export interface QueryMessage {
  readonly id: number;
  readonly query: Query;
}

/** App process to harness: started, answered, or failed to start. */
export type AppMessage =
  | { readonly type: 'ready'; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly type: 'answer'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failed'; readonly message: string };
