// Small HTTP helpers for the scenarios: raw bytes over a socket, and a response reduced to comparable parts.
import { once } from 'node:events';
import { connect } from 'node:net';

/** Sends raw bytes, so scenarios can send what fetch refuses to (duplicate headers). */
export async function rawRequest(url: string, head: string): Promise<{ status: number; text: string }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.end(head);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('latin1');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text };
}

/** Status, headers (without `date` and connection management) and body text, for exact comparisons. */
export async function snapshot(response: Response): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const skip = new Set(['date', 'connection', 'keep-alive']);
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !skip.has(name)));
  return { status: response.status, headers, body: await response.text() };
}

/** Reads a streamed body until `text` has arrived, and returns what was read. */
export async function readUntil(body: ReadableStream<Uint8Array>, text: string): Promise<{ read: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let read = '';
  while (!read.includes(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before ${JSON.stringify(text)} arrived; got ${JSON.stringify(read)}`);
    read += decoder.decode(value, { stream: true });
  }
  return { read, reader };
}

/**
 * Sends a request head (and maybe part of a body) without ever finishing the body, and resolves
 * with the status line once the server answers: proof that the server did not wait for the body.
 */
export async function statusBeforeBody(url: string, head: string, waitMs = 5_000): Promise<number> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  // Not a speed check: a server that waits for the rest of the body would wait forever.
  const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${waitMs} ms: the server is waiting for the body`)), waitMs);
  socket.write(head);
  let text = '';
  try {
    for await (const chunk of socket) {
      text += (chunk as Buffer).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (status !== undefined) return Number(status);
    }
    throw new Error(`the connection closed without a response: ${JSON.stringify(text)}`);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
