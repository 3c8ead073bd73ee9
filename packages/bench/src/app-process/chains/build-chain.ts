// The tollgate chains an app process can put in front of its route, built from core's public API.
import { randomInt } from 'node:crypto';
import { apiKey, createApiKey, formatApiKey, gate, memoryKeyStore, newKeyId, type Gate } from '@tollgate/core';
import type { ChainName } from '../../configuration.js';
import type { AppCounters } from '../app-counters.js';
import type { FloodCredentials } from '../messages.js';
import { benchApiKey } from './bench-identity.js';

/** A chain ready to mount, with the headers a valid request carries. */
export interface BuiltChain {
  readonly gate: Gate;
  readonly headers: Readonly<Record<string, string>>;
  /** Well-formed credentials (right format and checksum) that the chain refuses; the flood chain only. */
  readonly badCredentials: FloodCredentials;
  close(): Promise<void>;
}

/** What chains may use from their process. */
export interface ChainDeps {
  readonly workDir: string;
  readonly redisUrl: string;
  readonly counters: AppCounters;
}

/** None: the chains that are not the flood's. */
export const noFloodCredentials: FloodCredentials = { wrongSecret: [], unknownKey: [] };

/** Key ids the flood's bad keys name: enough that the per-key-id failure throttle does not shield argon2. */
const floodPoolSize = 2_000;
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function wrongSecret(): string {
  return Array.from({ length: 43 }, () => base62[randomInt(base62.length)]).join('');
}

/** A key in the right format, with a valid checksum, whose id no store holds: refused at the lookup, before argon2. */
export function unknownApiKey(): string {
  return formatApiKey({ env: 'live', keyId: newKeyId(), secret: wrongSecret() });
}

async function apiKeyChain(): Promise<BuiltChain> {
  const store = memoryKeyStore();
  const key = await benchApiKey(store);
  const tg = gate({ authenticate: { methods: [apiKey({ store })] } });
  return { gate: tg, headers: { authorization: `Bearer ${key}` }, badCredentials: noFloodCredentials, close: () => tg.close() };
}

/**
 * API keys only, with a pool of real key ids whose secrets the flood gets wrong, and the loopback
 * proxy trusted so each flood request can claim its own client address (x-forwarded-for): neither
 * failure throttle then stops the flood before argon2, and argon2's bounded queue has to shed it.
 * As many keys again name ids the store lacks: the control flood, the same requests refused before argon2.
 */
async function floodChain(): Promise<BuiltChain> {
  const store = memoryKeyStore();
  const key = await benchApiKey(store);
  // One production-cost hash shared by every pool record: each wrong guess costs a full argon2 verification.
  const { record } = await createApiKey({ subject: 'flood-pool', env: 'live' });
  const wrongSecrets: string[] = [];
  const unknownKeys: string[] = [];
  for (let index = 0; index < floodPoolSize; index++) {
    const id = newKeyId();
    await store.put({ ...record, id, subject: `flood-pool-${index}` });
    wrongSecrets.push(formatApiKey({ env: 'live', keyId: id, secret: wrongSecret() }));
    unknownKeys.push(unknownApiKey());
  }
  const badCredentials: FloodCredentials = { wrongSecret: wrongSecrets, unknownKey: unknownKeys };
  const tg = gate({ authenticate: { methods: [apiKey({ store })] }, trustProxy: ['127.0.0.1/32'] });
  return { gate: tg, headers: { authorization: `Bearer ${key}` }, badCredentials, close: () => tg.close() };
}

/**
 * Builds a named chain.
 *
 * @example
 * const chain = await buildChain('api-key', deps);
 * app.use('/v1', tollgate(chain.gate));
 */
export async function buildChain(name: ChainName, deps: ChainDeps): Promise<BuiltChain> {
  switch (name) {
    case 'api-key':
      return apiKeyChain();
    case 'flood':
      return floodChain();
    case 'full':
    case 'full-jwt':
    case 'full-redis':
      // Loaded only for these: it needs the steps an older core may not have yet.
      return (await import('./full-chain.js')).fullChain(name, deps);
  }
}
