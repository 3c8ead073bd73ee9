// Hands a request body from Fastify's parsing stage to a pipeline that started in onRequest, and back.
import { PassThrough, type Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { nodeRequestHasBody, type BodySource } from '@tollgate/core';

/** A payload stream as Fastify passes it between preParsing hooks. */
type Payload = Readable & { receivedEncodedLength?: number };

/**
 * The body of one request, in transit between the two hooks. A step that reads the body in
 * `onRequest` waits (`wanted` resolves) until the `preParsing` hook `supply`s the payload stream;
 * core then reads it with its own limits, and `replay()` gives Fastify's parser the same bytes.
 */
export interface BodyHandoff {
  /** Core's body source, given to the request model. */
  source(): BodySource;
  /** Resolves when a step starts reading the body. */
  readonly wanted: Promise<void>;
  /** Gives core the payload stream of the preParsing stage. */
  supply(payload: Payload): void;
  /** The response ended before preParsing ran (another hook answered): the read fails. */
  cancel(): void;
  /** The bytes core read, as a fresh stream for Fastify's content-type parser; undefined if core read none. */
  replay(): Payload | undefined;
}

/**
 * Creates the handoff for one request.
 *
 * @example
 * const body = bodyHandoff(request.raw);
 * const handle = pipeline.start(nodeRequestInput(request.raw, { path, body: body.source }));
 */
export function bodyHandoff(raw: IncomingMessage): BodyHandoff {
  let markWanted: () => void = () => undefined;
  const wanted = new Promise<void>((resolve) => (markWanted = resolve));
  let supply: (payload: Payload) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const payload = new Promise<Payload>((resolve, reject) => {
    supply = resolve;
    fail = reject;
  });
  // Without a reader the rejection of a cancelled handoff is expected, not unhandled.
  payload.catch(() => undefined);
  const captured: Buffer[] = [];
  let consumed: Payload | undefined;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    markWanted();
    const stream = await payload;
    consumed = stream;
    for await (const chunk of stream) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      captured.push(bytes);
      yield bytes;
    }
  }

  return {
    source: () => (nodeRequestHasBody(raw) ? { kind: 'raw', chunks } : { kind: 'none' }),
    wanted,
    supply: (stream) => supply(stream),
    cancel: () => fail(new Error('the response ended before the request body was read')),
    replay() {
      if (consumed === undefined) return undefined;
      const replayed: PassThrough & Payload = new PassThrough();
      // A decompressing preParsing hook before ours reports the bytes received on the wire; keep that.
      if (consumed.receivedEncodedLength !== undefined) replayed.receivedEncodedLength = consumed.receivedEncodedLength;
      replayed.end(Buffer.concat(captured));
      return replayed;
    },
  };
}
