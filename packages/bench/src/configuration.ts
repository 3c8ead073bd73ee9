// A benchmarked configuration as data: its name, the parts it needs, and how to start its app in its own process.
import type { FloodCredentials, HandlerLatency, LoopDelay, ProcessUsage } from './app-process/messages.js';

/** The frameworks tollgate has adapters for. */
export type Framework = 'express' | 'fastify' | 'hono' | 'koa';

/** What runs in front of the route: nothing, tollgate with one of its chains, or a hand-built peer stack. */
export type Variant = 'bare' | 'api-key' | 'full' | 'full-jwt' | 'full-redis' | 'bare-stream' | 'full-stream' | 'bare-signal' | 'full-signal' | 'peer';

/** The app a child process builds: a framework with or without tollgate, or a peer stack. */
export type AppName = Framework | 'express-passport' | 'express-jwt' | 'fastify-jwt';

/** The tollgate chains the child can build (see app-process/chains). */
export type ChainName = 'api-key' | 'full' | 'full-jwt' | 'full-redis' | 'flood';

/** How the route reaches the model: the stub upstream over loopback HTTP, or the stub's answer replayed in-process. */
export type UpstreamMode = 'http' | 'inline';

/** What the child process is told to build. */
export interface AppSpec {
  readonly app: AppName;
  readonly chain: ChainName | undefined;
  readonly upstream: UpstreamMode;
  /** A directory for the app's log files. */
  readonly workDir: string;
  readonly redisUrl: string;
  /**
   * The route passes an AbortSignal to its model call (tollgate's `context.signal`, or for a bare route
   * one of its own aborted when the client leaves). Off everywhere else, so every other route makes
   * the same call with and without tollgate.
   */
  readonly signal?: boolean;
}

/** Settings every configuration starts with. */
export interface StartSettings {
  readonly upstream: UpstreamMode;
  readonly workDir: string;
  readonly redisUrl: string;
  /** Resolve `@tollgate/*` to the TypeScript sources instead of the built packages. */
  readonly source: boolean;
  /** Write a V8 CPU profile of each app process into this directory (slows the apps down). */
  readonly cpuProfileDir?: string | undefined;
  /** Microseconds between profile samples. @default Node's (1000) */
  readonly cpuProfileIntervalUs?: number | undefined;
  /** Extra Node/V8 flags for the app process (`--node-flags`). @default none */
  readonly nodeFlags?: readonly string[] | undefined;
}

/** An app running in its own process. */
export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly pid: number;
  /** Headers a valid request carries (credentials the app process made). */
  readonly headers: Readonly<Record<string, string>>;
  /** Starts a fresh event-loop delay histogram, CPU and GC accounting, and fresh counters in the app process. */
  resetStats(): Promise<void>;
  /** The event-loop delay since the last reset. */
  eventLoop(): Promise<LoopDelay>;
  /** CPU time (every thread) and garbage-collection pauses of the app process since the last reset. */
  usage(): Promise<ProcessUsage>;
  /** Counters the app keeps (requests handled, Redis commands by kind) since the last reset. */
  counters(): Promise<Readonly<Record<string, number>>>;
  /**
   * Latency, measured inside the app from arrival to the response's end, of the requests that reached
   * the route handler since the last reset (the flood app only; other apps record none).
   */
  handlerLatency(): Promise<HandlerLatency>;
  /** Bad credentials the app knows are bad but well-formed, of both kinds (the flood chain only). */
  badCredentials(): Promise<FloodCredentials>;
  stop(): Promise<void>;
}

/** Something a configuration needs: an export of a package, or a running service. */
export interface Part {
  /** How the report names it: `@tollgate/core validateRequest`, `Redis at redis://…`. */
  readonly label: string;
  /** Whether it exists right now (an import that fails counts as absent; a service is asked at `redisUrl`). */
  present(settings: Pick<StartSettings, 'redisUrl'>): Promise<boolean>;
}

/** One benchmarked configuration. */
export interface Configuration {
  /** `framework/variant`, e.g. `fastify/full`, or `express/peer-passport`. */
  readonly name: string;
  readonly framework: Framework;
  readonly variant: Variant;
  /** One line on what runs, for the report. */
  readonly description: string;
  /** The parts that must exist for this configuration to be measured. */
  readonly parts: readonly Part[];
  /** The configuration whose throughput this one is compared with (same framework, bare route). */
  readonly baseline: string;
  /** Whether the request asks for a streamed response. */
  readonly stream: boolean;
  start(settings: StartSettings): Promise<RunningApp>;
}
