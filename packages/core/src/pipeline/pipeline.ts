// Runs steps over a request: builds the context, checks step order, turns failures into rendered responses.
import { createContext, type ContextHandle } from '../context/tg-context.js';
import { renderError, assertQuotable, toTollgateError, type ErrorFormat, type ErrorRenderer, type RenderedResponse } from '../errors/render-error.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { clientIpResolver, type ClientIpResolver, type TrustProxy } from '../net/client-ip.js';
import { pickRequestId } from '../request/request-id.js';
import { createRequest, type RequestInput } from '../request/tg-request.js';
import type { ResponseHold, ResponseObserver, ResponseOutcome, Step } from './step.js';
import { withHold, type HoldingObserver } from './response-hold.js';

/** Options shared by every step of a pipeline. */
export interface PipelineOptions {
  /** The steps, in the order they run. */
  readonly steps: readonly Step[];
  /** Which proxies may set the client IP. @default false (the socket peer is the client) */
  readonly trustProxy?: TrustProxy;
  readonly errors?: {
    /** Error body format or a custom renderer. @default 'openai' */
    readonly format?: ErrorFormat | ErrorRenderer;
    /** Realm in `WWW-Authenticate`. @default 'tollgate' */
    readonly realm?: string;
  };
  readonly requestId?: {
    /** Header that carries the request id both ways. @default 'x-request-id' */
    readonly header?: string;
    /** Echo a well-formed id sent by the client instead of making one. @default true */
    readonly acceptIncoming?: boolean;
  };
  readonly body?: {
    /** Largest JSON body core reads itself. @default 1048576 */
    readonly maxBytes?: number;
  };
  /**
   * Called with every failure that renders as a 5xx (and its cause), for the app's logs.
   * @default writes nothing
   */
  readonly onError?: (error: TollgateError, requestId: string) => void;
}

/** A pipeline ready to run requests. */
export interface Pipeline {
  readonly steps: readonly Step[];
  readonly clientIp: ClientIpResolver;
  /** Starts a request: request model, request id, client IP, fresh context. */
  start(input: RequestInput): ContextHandle;
  /** Runs this pipeline's steps on a context; resolves undefined on success or the response to send. */
  run(handle: ContextHandle): Promise<RenderedResponse | undefined>;
  /** Renders an error for a context (adds the request id header). */
  render(error: unknown, requestId: string): RenderedResponse;
  /**
   * The observers the steps want on the response body, combined into one; undefined when no step
   * observes responses. Adapters call it once the chain let the request through, and feed it what the
   * handler writes. The steps are asked for their observers (`observeResponse`) when the response
   * starts (or ends without having started), not before: a request spends most of its life waiting
   * for the model, and whatever it holds meanwhile every young garbage collection has to copy.
   */
  observe(handle: ContextHandle): ResponseObserver | undefined;
  /**
   * Tells every step that the response has ended; adapters call it once per request (later calls are
   * ignored). Never rejects: a failing step is reported to `onError`.
   */
  finish(handle: ContextHandle, outcome: ResponseOutcome): Promise<void>;
}

const headerName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

function checkOrder(steps: readonly Step[]): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.name)) throw new ConfigError(`step "${step.name}" appears twice in the chain`);
    seen.add(step.name);
  }
  // Requirements met later in the same chain are an ordering mistake; ones not in the chain may be met by an earlier middleware.
  const names = steps.map((s) => s.name);
  steps.forEach((step, index) => {
    for (const needed of step.requires) {
      if (names.indexOf(needed) > index) {
        throw new ConfigError(`step "${step.name}" needs "${needed}" to run first, but "${needed}" comes after it`);
      }
    }
  });
}

/**
 * Builds a pipeline once, validating every option; throws a ConfigError on a mistake.
 *
 * @example
 * const pipeline = createPipeline({ steps: [authenticate({ methods: [apiKey({ store })] })] });
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const steps = [...options.steps];
  checkOrder(steps);
  const realm = options.errors?.realm ?? 'tollgate';
  try {
    assertQuotable(realm, 'errors.realm');
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const format = options.errors?.format ?? 'openai';
  if (typeof format !== 'function' && format !== 'openai' && format !== 'problem') {
    throw new ConfigError(`errors.format must be "openai", "problem" or a function; got ${JSON.stringify(format)}`);
  }
  const idHeader = (options.requestId?.header ?? 'x-request-id').toLowerCase();
  if (!headerName.test(idHeader)) throw new ConfigError(`requestId.header is not a valid header name: ${JSON.stringify(idHeader)}`);
  const acceptIncoming = options.requestId?.acceptIncoming ?? true;
  const maxBytes = options.body?.maxBytes ?? 1_048_576;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new ConfigError(`body.maxBytes must be a positive whole number; got ${String(maxBytes)}`);
  const clientIp = clientIpResolver(options.trustProxy ?? false);
  const onError = options.onError;
  // A requirement met by an earlier step of this chain is met whenever the step runs (the steps before
  // it completed, or the run stopped); only those an earlier middleware must meet are checked per request.
  const outsideRequirements = steps.map((step, index) => step.requires.filter((name) => !steps.slice(0, index).some((s) => s.name === name)));
  const finishing = steps.filter((step) => step.finish !== undefined).reverse();
  const observing = steps.filter((step) => step.observeResponse !== undefined);

  // Marks a handle whose finish ran (a property, not a WeakSet entry: those slow every young collection).
  const finished = Symbol('tollgate.finished');
  const report = (thrown: unknown, requestId: string): void => {
    if (onError === undefined) return;
    try {
      onError(toTollgateError(thrown), requestId);
    } catch {
      // A failing log hook must not break the response path.
    }
  };

  const render = (thrown: unknown, requestId: string): RenderedResponse => {
    const error = toTollgateError(thrown);
    if (error.status >= 500) report(error, requestId);
    const response = renderError(error, { format, realm, requestId });
    response.headers[idHeader] = requestId;
    return response;
  };

  /** Asks every observing step for its observer on this response, combined into one (or undefined). */
  const observersOf = (handle: ContextHandle): ResponseObserver | undefined => {
    const observers: ResponseObserver[] = [];
    let holders: HoldingObserver[] | undefined;
    const control = { abort: (reason: string) => handle.abort(reason) };
    for (const step of observing) {
      try {
        const observer = step.observeResponse!(handle.context, control);
        if (observer !== undefined) observers.push(observer);
        if (observer?.hold !== undefined) (holders ??= []).push({ step: step.name, observer });
      } catch (thrown) {
        report(thrown, handle.context.requestId);
      }
    }
    const combined = combineObservers(observers, (thrown) => report(thrown, handle.context.requestId));
    return holders === undefined ? combined : withHold(combined!, holders, handle.context);
  };

  return {
    steps,
    clientIp,
    start(input) {
      const request = createRequest(input, { maxBytes });
      const requestId = pickRequestId(input.headerValues(idHeader), acceptIncoming);
      const ip = clientIp.resolve(input.remoteAddress, input.headerValues);
      const peerTrusted = !clientIp.disabled && clientIp.peerIsTrusted(input.remoteAddress);
      return createContext({ requestId, request, clientIp: ip, requestIdHeader: idHeader, peerTrusted });
    },
    async run(handle) {
      const { context } = handle;
      let current = '';
      try {
        for (let index = 0; index < steps.length; index++) {
          const step = steps[index]!;
          current = step.name;
          const missing = outsideRequirements[index]!.find((name) => !context.completedSteps.includes(name));
          if (missing !== undefined) {
            throw new TollgateError('TG_PIPELINE_ORDER', {
              message: `The server is misconfigured: step "${step.name}" needs "${missing}" to run first.`,
            });
          }
          // A step that finished synchronously costs no await.
          const running = step.run(context);
          if (running !== undefined) await running;
          handle.complete(step.name);
        }
        return undefined;
      } catch (thrown) {
        const error = toTollgateError(thrown);
        context.decisions.refusal = { step: current, code: error.code, status: error.status };
        return render(error, context.requestId);
      }
    },
    render,
    observe(handle) {
      return observing.length === 0 ? undefined : new DeferredObserver(() => observersOf(handle));
    },
    async finish(handle, outcome) {
      const marked = handle as ContextHandle & { [finished]?: true };
      if (marked[finished] === true) return;
      marked[finished] = true;
      for (const step of finishing) {
        try {
          const pending = step.finish!(handle.context, outcome);
          if (pending !== undefined) await pending;
        } catch (thrown) {
          report(thrown, handle.context.requestId);
        }
      }
    },
  };
}

/** The steps' observers, made on the first call that reaches them (see Pipeline.observe). */
class DeferredObserver implements ResponseObserver {
  #make: (() => ResponseObserver | undefined) | undefined;
  #observer: ResponseObserver | undefined = undefined;

  constructor(make: () => ResponseObserver | undefined) {
    this.#make = make;
  }

  #made(): ResponseObserver | undefined {
    if (this.#make !== undefined) {
      this.#observer = this.#make();
      this.#make = undefined;
    }
    return this.#observer;
  }

  start(status: number, contentType: string | undefined): void {
    this.#made()?.start?.(status, contentType);
  }

  chunk(bytes: Uint8Array): void {
    this.#made()?.chunk(bytes);
  }

  end(outcome: ResponseOutcome): void {
    this.#made()?.end?.(outcome);
  }

  hold(): ResponseHold | undefined {
    return this.#made()?.hold?.();
  }
}

/** One observer that fans out to several; an observer that throws is reported and dropped. */
function combineObservers(observers: ResponseObserver[], report: (thrown: unknown) => void): ResponseObserver | undefined {
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return new FanOutObserver(observers, report);
}

// A class with plain loops: no closure per response, none per chunk.
class FanOutObserver implements ResponseObserver {
  readonly #observers: readonly ResponseObserver[];
  readonly #report: (thrown: unknown) => void;

  constructor(observers: readonly ResponseObserver[], report: (thrown: unknown) => void) {
    this.#observers = observers;
    this.#report = report;
  }

  start(status: number, contentType: string | undefined): void {
    for (const observer of this.#observers) {
      try {
        observer.start?.(status, contentType);
      } catch (thrown) {
        this.#report(thrown);
      }
    }
  }

  chunk(bytes: Uint8Array): void {
    for (const observer of this.#observers) {
      try {
        observer.chunk(bytes);
      } catch (thrown) {
        this.#report(thrown);
      }
    }
  }

  end(outcome: ResponseOutcome): void {
    for (const observer of this.#observers) {
      try {
        observer.end?.(outcome);
      } catch (thrown) {
        this.#report(thrown);
      }
    }
  }
}
