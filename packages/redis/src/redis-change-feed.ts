// Change events over Redis pub/sub: every instance of a store hears every other's writes, and resyncs after an outage.
import { EchoedChangeEmitter } from '@tollgate/core';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection.js';

/** A change as the feed carries it: which record (key id or tenant id), and what happened. */
export interface FeedChange {
  readonly id: string;
  readonly type: 'upsert' | 'delete' | 'resync';
}

/** What goes over the channel. `o` is the writing instance, so it does not hear its own writes twice; `n` names one write. */
interface FeedMessage {
  readonly o: string;
  readonly n: number;
  readonly id: string;
  readonly t: 'upsert' | 'delete';
}

function parseMessage(text: string): FeedMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<FeedMessage>;
    if (typeof value.o === 'string' && typeof value.n === 'number' && typeof value.id === 'string' && (value.t === 'upsert' || value.t === 'delete')) return value as FeedMessage;
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

/**
 * The broadcast of a store's changes on one channel. Writers publish inside the same Lua script that
 * writes, so a change is never stored without being announced. Listeners hear this instance's writes at
 * once (not via Redis) and other instances' writes when Redis delivers them. When the subscriber
 * reconnects after an outage, messages sent meanwhile are lost, so it re-subscribes and then emits one
 * `resync`: caches drop everything and read the store afresh. A write resolves once its own announcement
 * came back through this instance's subscriber (at most 2 s), so it has gone out to every subscriber
 * before the write's caller goes on.
 *
 * @example
 * const feed = await RedisChangeFeed.open(connection, '{tg-keys}:changes', onError);
 * feed.subscribe((change) => cache.drop(change.id));
 */
export class RedisChangeFeed {
  readonly channel: string;
  readonly #changes = new EchoedChangeEmitter<FeedChange>(() => this.live);
  /** This instance's id in messages. */
  readonly origin = this.#changes.origin;
  readonly #subscriber: Redis;

  private constructor(subscriber: Redis, channel: string) {
    this.#subscriber = subscriber;
    this.channel = channel;
  }

  /** Subscribes a new connection to `channel`; rejects with a StoreConnectionError when it cannot. */
  static async open(connection: RedisConnection, channel: string, onError: (error: Error) => void): Promise<RedisChangeFeed> {
    const subscriber = await connection.subscriber();
    const feed = new RedisChangeFeed(subscriber, channel);
    subscriber.on('message', (from: string, text: string) => {
      if (from !== channel) return;
      const message = parseMessage(text);
      if (message === undefined) return;
      if (!feed.#changes.settleIfOwn(message.o, message.n)) feed.emit({ id: message.id, type: message.t });
    });
    await subscriber.subscribe(channel);
    let ready = true;
    subscriber.on('close', () => void (ready = false));
    subscriber.on('ready', () => {
      if (ready) return;
      ready = true;
      // Subscribed again before the resync, so nothing published after it can be missed.
      subscriber.subscribe(channel).then(
        () => feed.emit({ id: '*', type: 'resync' }),
        (error: unknown) => onError(error instanceof Error ? error : new Error(String(error))),
      );
    });
    return feed;
  }

  /**
   * The text to PUBLISH for a change this instance makes, and `delivered()`, which resolves when that
   * text comes back through the subscriber (or after 2 s, or at once while the subscriber is down).
   */
  announce(id: string, type: 'upsert' | 'delete'): { text: string; delivered(): Promise<void>; cancel(): void } {
    const { sequence: n, delivered, cancel } = this.#changes.expectEcho();
    return { text: JSON.stringify({ o: this.origin, n, id, t: type } satisfies FeedMessage), delivered, cancel };
  }

  subscribe(listener: (change: FeedChange) => void): () => void {
    return this.#changes.subscribe(listener);
  }

  /** Tells every listener; one that throws does not stop the others. */
  emit(change: FeedChange): void {
    this.#changes.emit(change);
  }

  /** Whether the subscriber is connected (changes from other instances are arriving). */
  get live(): boolean {
    return this.#subscriber.status === 'ready';
  }
}
