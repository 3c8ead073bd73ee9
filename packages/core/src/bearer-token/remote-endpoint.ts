// Talking to an identity provider: https URLs only (http on loopback), bounded time and size, JSON only.
import { ConfigError } from '../errors/tollgate-error.js';
import { parseIp } from '../net/ip-address.js';
import { joinBytes } from '../request/tg-request.js';

/** Why a call to the provider failed; never a statement about the credential. */
export class RemoteEndpointError extends Error {
  override readonly name = 'RemoteEndpointError';
  /** HTTP status when the provider answered, otherwise undefined. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
  }
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return true;
  const ip = parseIp(host);
  if (ip === undefined) return false;
  return ip.v4 ? ip.bytes[12] === 127 : ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/**
 * Checks a provider URL at startup: `https:`, or `http:` on a loopback address (tests, sidecars).
 * Returns the parsed URL; throws a ConfigError naming `name` otherwise.
 *
 * @example
 * providerUrl('https://idp.example.com/.well-known/jwks.json', 'jwt.jwksUri')
 */
export function providerUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${name} must be a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${name} must not carry credentials in the URL`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new ConfigError(`${name} must be an https URL (http is allowed only on loopback addresses); got ${url.protocol}//${url.host}`);
}

/** How one request to the provider is bounded. */
export interface RemoteCallLimits {
  /** Whole request, from connect to the last body byte. */
  readonly timeoutMs: number;
  /** Largest response body read. */
  readonly maxBytes: number;
}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new RemoteEndpointError(`response larger than ${maxBytes} bytes`, response.status);
  const parts: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new RemoteEndpointError(`response larger than ${maxBytes} bytes`, response.status);
      parts.push(chunk);
    }
  }
  return joinBytes(parts, size);
}

/**
 * Fetches a JSON object from the provider. Redirects are refused, the whole exchange is bounded by
 * `timeoutMs`, the body by `maxBytes`. Any failure (network, timeout, non-2xx, too large, not a JSON
 * object) is a RemoteEndpointError.
 *
 * @example
 * const jwks = await fetchJsonObject(new URL('https://idp.example.com/jwks'), { timeoutMs: 3000, maxBytes: 524288 });
 */
export async function fetchJsonObject(url: URL, limits: RemoteCallLimits, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers }, redirect: 'error', signal });
    status = response.status;
    const bytes = await readBounded(response, limits.maxBytes);
    if (status < 200 || status > 299) throw new RemoteEndpointError(`${url.origin}${url.pathname} answered HTTP ${status}`, status);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    if (cause instanceof RemoteEndpointError) throw cause;
    const reason = signal.aborted ? `no complete answer within ${limits.timeoutMs} ms` : 'request failed';
    throw new RemoteEndpointError(`${url.origin}${url.pathname}: ${reason}`, undefined, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RemoteEndpointError(`${url.origin}${url.pathname} did not answer JSON`, status, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RemoteEndpointError(`${url.origin}${url.pathname} did not answer a JSON object`, status);
  }
  return value as Record<string, unknown>;
}
