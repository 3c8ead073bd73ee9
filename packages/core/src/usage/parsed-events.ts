// Stream events one observer already parsed, offered to another reading the same stream, so each event is parsed once.

/** Where a request's shared events live: a field of the request context under this module's key. */
export const parsedEventsKey = Symbol('tollgate.parsedStreamEvents');

/** Events waiting to be taken; more than this and the oldest goes (the taker fell out of step). */
const maxWaiting = 32;

/**
 * The `data` of each event validateRequest's usage observer parsed, with the value it parsed to, in
 * stream order, for rateLimit's meter. The meter takes an event only when its own `data` text is the
 * same, so it sees exactly what its own `JSON.parse` would give; anything else (an event between the
 * usage observer's limit and the meter's larger one, which the observer skipped) it parses itself.
 *
 * @example
 * const shared = new ParsedEvents();
 * shared.offer('{"a":1}', { a: 1 });
 * shared.take('{"a":1}') // { value: { a: 1 } }
 */
export class ParsedEvents {
  #data: string[] = [];
  #values: unknown[] = [];

  /** Adds an event the offering reader parsed. */
  offer(data: string, value: unknown): void {
    if (this.#data.length >= maxWaiting) {
      this.#data.shift();
      this.#values.shift();
    }
    this.#data.push(data);
    this.#values.push(value);
  }

  /**
   * The parsed value of the waiting event whose text is `data` (dropping the ones before it, which
   * the taker will never ask for), or undefined when none is waiting.
   */
  take(data: string): { readonly value: unknown } | undefined {
    const at = this.#data.indexOf(data);
    if (at === -1) return undefined;
    const value = this.#values[at];
    this.#data.splice(0, at + 1);
    this.#values.splice(0, at + 1);
    return { value };
  }
}

type Sharing = { [parsedEventsKey]?: ParsedEvents | undefined };

/** Makes `context` share parsed events from now on (the taker, before any chunk) and returns the queue. */
export function shareParsedEvents(context: object): ParsedEvents {
  const shared = new ParsedEvents();
  (context as Sharing)[parsedEventsKey] = shared;
  return shared;
}

/** The queue a taker set up on `context`, if any (the offering side). */
export function parsedEventsOf(context: object): ParsedEvents | undefined {
  return (context as Sharing)[parsedEventsKey];
}
