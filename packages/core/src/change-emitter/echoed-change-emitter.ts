// A change emitter for stores that broadcast their writes, where a write waits to hear its own broadcast back.
import { randomUUID } from 'node:crypto';
import { ChangeEmitter } from './change-emitter.js';

/** How long a write waits to hear its own notification back before it resolves anyway. */
const echoTimeoutMs = 2_000;

/** One write's wait for its own notification to come back through this instance's subscriber. */
export interface EchoWait {
  /** Names this write in its notification, beside the emitter's `origin`. */
  readonly sequence: number;
  /** Resolves when the notification came back (at most 2 s; at once while the subscriber is down). */
  delivered(): Promise<void>;
  /** Stops waiting (the write failed or changed nothing) and resolves `delivered()`. */
  cancel(): void;
}

/**
 * The listener set of a store whose changes go out over a broker (Redis pub/sub, PostgreSQL NOTIFY).
 * Each notification carries `origin` and a write's `sequence`. When it comes back to this instance it
 * settles that write's wait, so the write resolves only once every subscribed instance has been sent it;
 * listeners are not told again, as the writer emits its own changes at once.
 *
 * @example
 * const changes = new EchoedChangeEmitter<KeyChange>(() => subscriber.status === 'ready');
 * const wait = changes.expectEcho();
 * await publish(JSON.stringify({ o: changes.origin, n: wait.sequence, id, t: 'delete' }));
 * changes.emit({ keyId: id, type: 'delete' });
 * await wait.delivered();
 * // and for each message received: if (!changes.settleIfOwn(message.o, message.n)) changes.emit(...)
 */
export class EchoedChangeEmitter<Change> extends ChangeEmitter<Change> {
  /** This instance's id in the notifications it sends. */
  readonly origin = randomUUID();
  readonly #live: () => boolean;
  readonly #echoes = new Map<number, () => void>();
  #sequence = 0;

  /** `live` says whether the subscriber is up; while it is down a write does not wait for its echo. */
  constructor(live: () => boolean) {
    super();
    this.#live = live;
  }

  /** How many writes are waiting for their echo. */
  get waiting(): number {
    return this.#echoes.size;
  }

  /** Starts the wait for one write's notification; put `sequence` into that notification. */
  expectEcho(): EchoWait {
    const sequence = ++this.#sequence;
    let heard!: () => void;
    const echoed = new Promise<void>((resolve) => (heard = resolve));
    this.#echoes.set(sequence, heard);
    const cancel = () => {
      this.#echoes.delete(sequence);
      heard();
    };
    return {
      sequence,
      cancel,
      delivered: () => {
        if (!this.#live()) cancel();
        const timer = setTimeout(cancel, echoTimeoutMs);
        timer.unref();
        return echoed.finally(() => {
          clearTimeout(timer);
          this.#echoes.delete(sequence);
        });
      },
    };
  }

  /**
   * Whether a received notification is this instance's own (its `origin` matches); if so it settles the
   * wait of the write its `sequence` names, and the caller must not emit it.
   */
  settleIfOwn(origin: unknown, sequence: unknown): boolean {
    if (origin !== this.origin) return false;
    if (typeof sequence === 'number') this.#echoes.get(sequence)?.();
    return true;
  }
}
