// Key, tenant and rate-limit stores that stand in for a store still connecting: every call goes to it once it is there.
import { ChangeEmitter } from '../change-emitter/change-emitter.js';
import type { KeyChange, WritableKeyStore } from '../key-store/key-store.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';
import type { TenantChange, WritableTenantStore } from '../tenant-store/tenant-store.js';
import { DeferredConnection, type DeferredConnectionOptions } from './deferred-connection.js';

/** A store that connects in the background; `ready()` says whether it has, `close()` closes it. */
export interface Deferred {
  /** Resolves once connected; rejects with why the last attempt failed (a StoreConnectionError, URL redacted). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** How a deferred store makes the real one, and retries. */
export type DeferredStoreOptions<S> = Omit<DeferredConnectionOptions<S>, 'close' | 'onConnect'>;

type Closable<T> = T & { close?(): Promise<void> };

/** The connection, and `call` that runs `fn` on the store without an extra turn when it is connected. */
function connectionOf<S extends { close?(): Promise<void> }>(options: DeferredStoreOptions<S>, onConnect?: (store: S) => void) {
  const connection = new DeferredConnection<S>({ ...options, close: async (store) => store.close?.(), ...(onConnect === undefined ? {} : { onConnect }) });
  const call = <R>(fn: (store: S) => R | Promise<R>): Promise<R> => {
    const store = connection.current;
    if (store !== undefined) return Promise.resolve(fn(store));
    return Promise.resolve(connection.use()).then(fn);
  };
  return { connection, call };
}

/** Relays the real store's changes to watchers that subscribed before it connected. */
function relayChanges<C, S extends { watch?(listener: (change: C) => void): () => void }>() {
  const changes = new ChangeEmitter<C>();
  let unwatch: (() => void) | undefined;
  return {
    subscribe: (listener: (change: C) => void) => changes.subscribe(listener),
    attach(store: S) {
      unwatch = store.watch?.((change) => changes.emit(change));
    },
    detach() {
      unwatch?.();
      unwatch = undefined;
    },
  };
}

/**
 * A key store for one that connects in the background (a Redis or Postgres store named in a config
 * file). Lookups wait for the attempt in flight and fail while the store is unreachable, so the apiKey
 * method answers 503; watchers hear the real store's changes once it is there.
 *
 * @example
 * const keys = deferredKeyStore({ connect: () => redisKeyStore({ url }) });
 * const tg = gate({ authenticate: { methods: [apiKey({ store: keys })] } });
 */
export function deferredKeyStore(options: DeferredStoreOptions<Closable<WritableKeyStore>>): WritableKeyStore & Deferred {
  const relay = relayChanges<KeyChange, WritableKeyStore>();
  const { connection, call } = connectionOf(options, (store) => relay.attach(store));
  return {
    get: (keyId) => call((store) => store.get(keyId)),
    put: (record) => call((store) => store.put(record)),
    delete: (keyId) => call((store) => store.delete(keyId)),
    list: (filter) => call((store) => store.list(filter)),
    patch: (keyId, patch) => call((store) => (store.patch === undefined ? Promise.reject(new Error('the key store cannot patch records')) : store.patch(keyId, patch))),
    touch: (uses) => call(async (store) => store.touch?.(uses)),
    watch: (listener) => relay.subscribe(listener),
    ready: () => connection.ready(),
    async close() {
      relay.detach();
      await connection.close();
    },
  };
}

/**
 * A tenant store for one that connects in the background, as {@link deferredKeyStore} is for keys:
 * lookups fail while it is unreachable, so resolveTenant answers 503.
 *
 * @example
 * const tenants = deferredTenantStore({ connect: () => postgresTenantStore({ url }) });
 */
export function deferredTenantStore(options: DeferredStoreOptions<Closable<WritableTenantStore>>): WritableTenantStore & Deferred {
  const relay = relayChanges<TenantChange, WritableTenantStore>();
  const { connection, call } = connectionOf(options, (store) => relay.attach(store));
  return {
    get: (tenantId) => call((store) => store.get(tenantId)),
    put: (tenant) => call((store) => store.put(tenant)),
    delete: (tenantId) => call((store) => store.delete(tenantId)),
    list: () => call((store) => store.list()),
    watch: (listener) => relay.subscribe(listener),
    ready: () => connection.ready(),
    async close() {
      relay.detach();
      await connection.close();
    },
  };
}

/**
 * A rate-limit store for one that connects in the background. While it is not there, reservations
 * fail and each rule's `onStoreFailure` policy applies (insurance, fail_closed with 503, fail_open);
 * the clock is the local one until the real store's estimate is available.
 *
 * @example
 * const store = deferredRateLimitStore({ connect: () => postgresRateLimitStore({ url }) });
 * const limits = rateLimit({ store, rules });
 */
export function deferredRateLimitStore(options: DeferredStoreOptions<Closable<RateLimitStore>>): RateLimitStore & Deferred {
  const { connection, call } = connectionOf(options);
  return {
    now: () => connection.current?.now() ?? Date.now(),
    reserve: (request) => call((store) => store.reserve(request)),
    settle: (request) => call((store) => store.settle(request)),
    cancel: (request) => call((store) => store.cancel(request)),
    renew: (requests, ttlMs) => call((store) => store.renew(requests, ttlMs)),
    ready: () => connection.ready(),
    close: () => connection.close(),
  };
}
