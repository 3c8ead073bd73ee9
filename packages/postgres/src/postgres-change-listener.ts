// Change events over LISTEN/NOTIFY: every instance hears every other's writes, and resyncs after losing the connection.
import { EchoedChangeEmitter, StoreConnectionError } from '@tollgate/core';
import type { PgListenClient, PostgresConnection } from './postgres-connection.js';

/** The one channel tollgate notifies on; payloads name the schema and the kind of record. */
export const changeChannel = 'tollgate_changes';

/** A change as listeners get it: the record id (key id or tenant id) and what happened. */
export interface PgChange {
  readonly id: string;
  readonly type: 'upsert' | 'delete' | 'resync';
}

/** The NOTIFY payload. `o` is the writing instance, so it does not hear its own writes twice; `n` names one write. */
interface Payload {
  readonly s: string;
  readonly k: 'key' | 'tenant';
  readonly o: string;
  readonly n: number;
  readonly id: string;
  readonly t: 'upsert' | 'delete';
}

/** One write's notification: the payload for `pg_notify`, and the wait for it to come back. */
export interface Announcement {
  readonly payload: string;
  /** Resolves when this instance's LISTEN connection received the notification (at most 2 s; at once while it is down). */
  delivered(): Promise<void>;
  /** Stops waiting (the write failed or changed nothing). */
  cancel(): void;
}

/**
 * Holds one pooled connection in LISTEN. Writers call `pg_notify` in the statement or transaction that
 * writes, so a change is announced exactly when it commits. Listeners hear this instance's writes at once
 * and other instances' writes on commit. When the connection is lost it reconnects with backoff (100 ms
 * up to 5 s) and then emits one `resync`, because notifications sent meanwhile are gone. A write resolves
 * once its own notification came back to this instance (at most 2 s), so it has gone out to every
 * listening instance before the write's caller goes on.
 *
 * @example
 * const listener = await PostgresChangeListener.open(connection, 'key', onError);
 * listener.subscribe((change) => cache.drop(change.id));
 */
export class PostgresChangeListener {
  readonly #changes = new EchoedChangeEmitter<PgChange>(() => this.live);
  readonly origin = this.#changes.origin;
  readonly #connection: PostgresConnection;
  readonly #kind: 'key' | 'tenant';
  readonly #onError: (error: Error) => void;
  #client: PgListenClient | undefined;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;

  private constructor(connection: PostgresConnection, kind: 'key' | 'tenant', onError: (error: Error) => void) {
    this.#connection = connection;
    this.#kind = kind;
    this.#onError = onError;
  }

  /** Starts listening; rejects with a StoreConnectionError when the first LISTEN fails. */
  static async open(connection: PostgresConnection, kind: 'key' | 'tenant', onError: (error: Error) => void): Promise<PostgresChangeListener> {
    const listener = new PostgresChangeListener(connection, kind, onError);
    try {
      await listener.#listen();
    } catch (error) {
      throw new StoreConnectionError(`postgres ${kind} store`, 'postgres (LISTEN connection)', error);
    }
    return listener;
  }

  /** The notification of a change this instance makes: the argument of `pg_notify(channel, payload)`. */
  announce(id: string, type: 'upsert' | 'delete'): Announcement {
    const { sequence: n, delivered, cancel } = this.#changes.expectEcho();
    return { payload: JSON.stringify({ s: this.#connection.schema, k: this.#kind, o: this.origin, n, id, t: type } satisfies Payload), delivered, cancel };
  }

  subscribe(listener: (change: PgChange) => void): () => void {
    return this.#changes.subscribe(listener);
  }

  /** Tells every listener; one that throws does not stop the others. */
  emit(change: PgChange): void {
    this.#changes.emit(change);
  }

  /** Whether the LISTEN connection is up (changes from other instances are arriving). */
  get live(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      await client.query(`UNLISTEN ${changeChannel}`).catch(() => undefined);
      client.release();
    }
  }

  async #listen(): Promise<void> {
    const client = await this.#connection.pool.connect();
    let lost = false;
    const onLost = (error?: Error) => {
      // After close() the client was released already; ending the pool then emits 'end' once more.
      if (lost || this.#closed) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      // Released with an error, the pool destroys the connection instead of lending it again.
      client.release(error ?? true);
      if (error !== undefined) this.#onError(error);
      if (!this.#closed) this.#reconnect(0);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== changeChannel || message.payload === undefined) return;
      this.#deliver(message.payload);
    });
    try {
      await client.query(`LISTEN ${changeChannel}`);
    } catch (error) {
      lost = true;
      client.release(true);
      throw error;
    }
    if (this.#closed) {
      client.release();
      return;
    }
    this.#client = client;
  }

  #deliver(text: string): void {
    let payload: Partial<Payload>;
    try {
      payload = JSON.parse(text) as Partial<Payload>;
    } catch {
      return;
    }
    if (payload.s !== this.#connection.schema || payload.k !== this.#kind || typeof payload.id !== 'string') return;
    if (this.#changes.settleIfOwn(payload.o, payload.n)) return;
    if (payload.t === 'upsert' || payload.t === 'delete') this.emit({ id: payload.id, type: payload.t });
  }

  #reconnect(attempt: number): void {
    const delay = Math.min(5_000, 100 * 2 ** attempt);
    this.#retryTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#listen().then(
        () => {
          // Notifications sent while the connection was down are lost: caches must start over.
          if (!this.#closed) this.emit({ id: '*', type: 'resync' });
        },
        () => this.#reconnect(attempt + 1),
      );
    }, delay);
    this.#retryTimer.unref();
  }
}
