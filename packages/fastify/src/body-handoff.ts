// Hands a request body from Fastify's parsing stage to a pipeline that started in onRequest, and back.
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { collectNodeStream, nodeRequestHasBody, type BodySource } from '@tollgate/core';

const noop = (): void => undefined;

/** A payload stream as Fastify passes it between preParsing hooks. */
type Payload = Readable & { receivedEncodedLength?: number };

/**
 * The body of one request, in transit between the two hooks. A step that reads the body in
 * `onRequest` makes the handoff call `onWanted` (once, a microtask later) and waits until the
 * `preParsing` hook `supply`s the payload stream; core then reads it with its own limits, and
 * `replay()` gives Fastify's parser the same bytes. Nothing is allocated per request beyond the
 * handoff itself until a step asks for the body.
 */
export class BodyHandoff {
  /** Set once a step started reading the body. */
  wanted = false;
  #payload: Payload | undefined;
  #failure: Error | undefined;
  #waiter: { resolve: (payload: Payload) => void; reject: (error: Error) => void } | undefined;
  #captured: Buffer[] | undefined;
  #parsed: { readonly value: unknown } | undefined;
  readonly #raw: IncomingMessage;
  // Dropped once called, or once the run decided without the body (release): it captures the
  // request's reply, and the context, which the request keeps, must not reach that after the run.
  #onWanted: (() => void) | undefined;

  /**
   * @example
   * const body = new BodyHandoff(request.raw, () => pause());
   * const handle = pipeline.start(nodeRequestInput(request.raw, { path, body: () => body.source() }));
   */
  constructor(raw: IncomingMessage, onWanted: () => void) {
    this.#raw = raw;
    this.#onWanted = onWanted;
  }

  /** Core's body source, given to the request model. */
  source(): BodySource {
    if (this.#parsed !== undefined) return { kind: 'parsed', value: this.#parsed.value };
    if (!nodeRequestHasBody(this.#raw)) return { kind: 'none' };
    const handoff = this;
    return {
      kind: 'raw',
      chunks: async function* chunks() {
        yield await handoff.#collect(Number.POSITIVE_INFINITY);
      },
      collect: (maxBytes) => handoff.#collect(maxBytes),
    };
  }

  /** Gives core the payload stream of the preParsing stage. */
  supply(payload: Payload): void {
    this.#payload = payload;
    this.#waiter?.resolve(payload);
  }

  /** The response ended before preParsing ran (another hook answered): the read fails. */
  cancel(): void {
    this.#failure = new Error('the response ended before the request body was read');
    this.#waiter?.reject(this.#failure);
  }

  /**
   * No step read the body, so Fastify parsed it: a later read (a handler calling
   * `request.tollgate.request.json()`) gets Fastify's object instead of waiting for a stream that
   * went to Fastify's parser.
   */
  useParsed(value: unknown): void {
    this.#parsed = { value };
  }

  /** The run decided without asking for the body: let go of `onWanted`. */
  release(): void {
    this.#onWanted = undefined;
  }

  /**
   * The bytes core read, as a fresh stream for Fastify's content-type parser; undefined if core read
   * none. Once: the bytes go with the stream, and the handoff, which the request keeps for as long as
   * it lasts (a long stream), holds them no more.
   */
  replay(): Payload | undefined {
    const consumed = this.#payload;
    const captured = this.#captured;
    if (captured === undefined || consumed === undefined) return undefined;
    this.#captured = undefined;
    this.#payload = undefined;
    // A plain Readable holding the bytes: half the machinery of a PassThrough, which Fastify does not need.
    const replayed: Payload = new Readable({ read: noop });
    // A decompressing preParsing hook before ours reports the bytes received on the wire; keep that.
    if (consumed.receivedEncodedLength !== undefined) replayed.receivedEncodedLength = consumed.receivedEncodedLength;
    replayed.push(captured.length === 1 ? captured[0] : Buffer.concat(captured));
    replayed.push(null);
    return replayed;
  }

  async #collect(maxBytes: number): Promise<Uint8Array> {
    if (!this.wanted) {
      this.wanted = true;
      const onWanted = this.#onWanted;
      this.#onWanted = undefined;
      if (onWanted !== undefined) void Promise.resolve().then(onWanted);
    }
    const payload = await this.#payloadStream();
    const captured: Buffer[] = (this.#captured = []);
    return collectNodeStream(payload, maxBytes, (chunk) => captured.push(chunk));
  }

  #payloadStream(): Promise<Payload> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#payload !== undefined) return Promise.resolve(this.#payload);
    return new Promise<Payload>((resolve, reject) => (this.#waiter = { resolve, reject }));
  }
}
