// The framework-free request model that every adapter builds and every step reads.
import { TollgateError, isTollgateError } from '../errors/tollgate-error.js';
import { scanJsonStructure, valueDepth, type JsonBodyStructure } from './json-structure.js';

/** The peer certificate of a TLS connection, as Node reports it. */
export interface TlsPeer {
  /** Whether the TLS layer verified the chain against the server's CAs. */
  readonly authorized: boolean;
  readonly authorizationError?: string;
  readonly subject?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly subjectAltName?: string;
  /** SHA-256 fingerprint, `AA:BB:…`. */
  readonly fingerprint256?: string;
  readonly validFrom?: string;
  readonly validTo?: string;
}

/** What an adapter hands core for the body: already parsed by the framework, or the raw bytes. */
export type BodySource =
  | { readonly kind: 'parsed'; readonly value: unknown }
  | {
      readonly kind: 'raw';
      readonly chunks: () => AsyncIterable<Uint8Array>;
      /**
       * Optional faster read of the whole body, used instead of `chunks` when present: resolves the
       * bytes, or rejects with `TG_BODY_TOO_LARGE` once more than `maxBytes` arrived (any other
       * rejection means the body could not be read).
       */
      readonly collect?: (maxBytes: number) => Promise<Uint8Array>;
    }
  | { readonly kind: 'none' };

/** What an adapter passes to build a {@link TgRequest}. */
export interface RequestInput {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The matched route pattern (`/v1/chat/completions`, `/users/:id`), when the framework knows it. */
  readonly route?: string | undefined;
  /** All values of a header, by lower-case name, duplicates kept; [] when absent. */
  readonly headerValues: (name: string) => readonly string[];
  /** The socket peer address. */
  readonly remoteAddress: string | undefined;
  readonly tls?: TlsPeer | undefined;
  /** How to get the body, read at most once and only when a step asks for it. */
  readonly body: () => BodySource;
}

/** Limits applied when core reads the body itself. */
export interface BodyLimits {
  /** @default 1_048_576 (1 MiB) */
  readonly maxBytes: number;
}

/** A request as every step sees it. */
export interface TgRequest {
  readonly method: string;
  readonly path: string;
  readonly route: string | undefined;
  /** First value of a header (lower-case name), or undefined. */
  header(name: string): string | undefined;
  /** All values of a header, duplicates kept. */
  headerValues(name: string): readonly string[];
  readonly remoteAddress: string | undefined;
  readonly tls: TlsPeer | undefined;
  /** The JSON body, read and parsed once (413 over the limit, 415 for non-JSON, 400 for bad JSON). */
  json(): Promise<unknown>;
  /** True once a step has asked for the body (so adapters can hand the parsed value on). */
  readonly bodyRequested: boolean;
  /**
   * Duplicate keys and nesting depth of the JSON body, from the same single read and parse as
   * `json()` (rejects as `json()` does). Present on every request built by `createRequest`.
   */
  jsonStructure?(): Promise<JsonBodyStructure>;
}

const jsonType = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;
// One decoder for every request: without `stream`, each decode() starts afresh (also after a throw).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A parsed body and the text it came from (undefined when core did not read the bytes itself). */
interface ReadBody {
  readonly value: unknown;
  readonly text: string | undefined;
}

/** The chunks as one byte array; throws TG_BODY_TOO_LARGE once more than `maxBytes` arrived. */
async function collectChunks(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new TollgateError('TG_BODY_TOO_LARGE');
    parts.push(chunk);
  }
  return joinBytes(parts, size);
}

/**
 * `size` bytes of `parts` as one array, without a copy when there is a single part.
 *
 * @example
 * joinBytes([Buffer.from('{"a"'), Buffer.from(':1}')], 7) // the bytes of {"a":1}
 */
export function joinBytes(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

async function readJson(source: BodySource, contentType: string | undefined, limits: BodyLimits): Promise<ReadBody> {
  if (source.kind === 'none') return { value: undefined, text: undefined };
  if (source.kind === 'parsed') return { value: source.value, text: undefined };
  if (contentType === undefined || !jsonType.test(contentType)) throw new TollgateError('TG_UNSUPPORTED_MEDIA_TYPE');
  let bytes: Uint8Array;
  try {
    bytes = source.collect === undefined ? await collectChunks(source.chunks(), limits.maxBytes) : await source.collect(limits.maxBytes);
  } catch (cause) {
    if (isTollgateError(cause)) throw cause;
    // The client hung up or sent a broken chunked body: its fault, not ours.
    throw new TollgateError('TG_INVALID_JSON', { message: 'The request body could not be read.', cause });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new TollgateError('TG_INVALID_JSON', { message: 'The request body is not valid UTF-8.' });
  }
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch {
    throw new TollgateError('TG_INVALID_JSON');
  }
}

/**
 * Builds the request model from an adapter's input.
 *
 * @example
 * const request = createRequest({ method: 'GET', path: '/v1/models', headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
 */
export function createRequest(input: RequestInput, limits: BodyLimits = { maxBytes: 1_048_576 }): TgRequest {
  return new RequestModel(input, limits);
}

// A class, not an object literal with closures: one per request, so its methods are shared, not remade.
class RequestModel implements TgRequest {
  readonly method: string;
  readonly path: string;
  readonly route: string | undefined;
  readonly headerValues: (name: string) => readonly string[];
  readonly remoteAddress: string | undefined;
  readonly tls: TlsPeer | undefined;
  readonly #input: RequestInput;
  readonly #limits: BodyLimits;
  /** The parsed body, once asked for. */
  #read: Promise<unknown> | undefined = undefined;
  /**
   * The text the body was parsed from, until its structure is scanned: then it goes, so a request in
   * flight (a long stream) holds its body once, not as both text and value.
   */
  #text: string | undefined = undefined;
  #structure: Promise<JsonBodyStructure> | undefined = undefined;

  constructor(input: RequestInput, limits: BodyLimits) {
    this.method = input.method.toUpperCase();
    this.path = input.path;
    this.route = input.route;
    this.headerValues = input.headerValues;
    this.remoteAddress = input.remoteAddress;
    this.tls = input.tls;
    this.#input = input;
    this.#limits = limits;
  }

  header(name: string): string | undefined {
    return this.#input.headerValues(name)[0];
  }

  json(): Promise<unknown> {
    this.#read ??= readJson(this.#input.body(), this.#input.headerValues('content-type')[0], this.#limits).then((body) => {
      this.#text = body.text;
      return body.value;
    });
    return this.#read;
  }

  jsonStructure(): Promise<JsonBodyStructure> {
    // Scanned on first ask only: requests whose steps never need it pay nothing.
    this.#structure ??= this.json().then((value) => {
      const text = this.#text;
      this.#text = undefined;
      return text === undefined ? { duplicateKey: undefined, depth: valueDepth(value, 10_000), duplicatesChecked: false } : scanJsonStructure(text);
    });
    return this.#structure;
  }

  get bodyRequested(): boolean {
    return this.#read !== undefined;
  }
}
