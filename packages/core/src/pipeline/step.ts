// A step of the request path (authenticate, resolveTenant, …): a name, what it needs first, and what it does.
import type { TgContext } from '../context/tg-context.js';

/** One step of the chain. Steps throw a TollgateError to refuse a request. */
export interface Step {
  /** Unique name, e.g. `authenticate`. */
  readonly name: string;
  /** Steps that must have completed before this one runs. */
  readonly requires: readonly string[];
  run(context: TgContext): void | Promise<void>;
}
