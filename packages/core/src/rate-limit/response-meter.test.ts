// The meter over any chunking: the same reading as the whole body at once, multi-byte characters and CRLF split anywhere.
import { describe, expect, it } from 'vitest';
import { responseMeter, type MeterReading } from './response-meter.js';

const encode = (text: string) => new TextEncoder().encode(text);

function read(chunks: readonly Uint8Array[], contentType = 'text/event-stream'): { reading: MeterReading; pieces: number[] } {
  const pieces: number[] = [];
  const meter = responseMeter((n) => pieces.push(n));
  meter.start?.(200, contentType);
  for (const chunk of chunks) meter.chunk(chunk);
  meter.end?.({ status: 200, aborted: false });
  return { reading: meter.reading(), pieces };
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [...new Set(at.filter((n) => n > 0 && n < bytes.length))].sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length));
}

const stream = [
  ': a comment\r\n',
  'data: {"choices":[{"index":0,"delta":{"content":"héllo 🌍"}}]}\r\n\r\n',
  'event: ignored\n',
  'data: {"choices":[{"index":0,"delta":{"content":"second"},"finish_reason":null}]}\n\n',
  'data:{"choices":[{"index":0,"delta":{"reasoning_content":"why"}}]}\n\n',
  'data: not json\n\n',
  'data: {"type":"content_block_delta","delta":{"text":"claude"}}\n\n',
  'data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4}}\n\n',
  'data: [DONE]\n\n',
].join('');

describe('responseMeter', () => {
  const whole = read([encode(stream)]);

  it('reads pieces, characters and usage from a whole stream', () => {
    expect(whole.reading).toEqual({ stream: true, pieces: 4, characters: 'héllo 🌍'.length + 'second'.length + 'why'.length + 'claude'.length, inputTokens: 11, outputTokens: 4 });
    expect(whole.pieces).toEqual([1, 2, 3, 4]);
  });

  it('reads the same whatever the chunking: every single cut, and random cuts', () => {
    const bytes = encode(stream);
    for (let at = 1; at < bytes.length; at++) expect(read(cut(bytes, [at]))).toEqual(whole);
    let seed = 11;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    for (let run = 0; run < 200; run++) {
      const at = Array.from({ length: 1 + (next() % 12) }, () => next() % bytes.length);
      expect(read(cut(bytes, at))).toEqual(whole);
    }
    expect(read(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(whole);
  });

  it('reads a data line of megabytes that arrives in small chunks', () => {
    const content = 'x'.repeat(3 * 1024 * 1024);
    const bytes = encode(`data: {"choices":[{"index":0,"delta":{"content":"${content}"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"after"}}]}\n\n`);
    const chunks = cut(bytes, Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, i) => i * 1024));
    expect(read(chunks).reading).toMatchObject({ pieces: 2, characters: content.length + 'after'.length });
  });

  it('ends lines at CR alone as at LF or CRLF, and joins the data lines of one event', () => {
    expect(read([encode(stream.replace(/\r?\n/g, '\r'))])).toEqual(whole);
    const multiLine = 'data: {"choices":[{"index":0,\ndata: "delta":{"content":"split"}}],\ndata: "usage":{"prompt_tokens":2,"completion_tokens":1}}\n\n';
    expect(read([encode(multiLine)]).reading).toEqual({ stream: true, pieces: 1, characters: 5, inputTokens: 2, outputTokens: 1 });
  });

  it('drops an event larger than 4 MiB whole, keeps none of it, and reads on after it', () => {
    const after = 'data: {"choices":[{"index":0,"delta":{"content":"after"}}]}\n\n';
    // A line that goes on past the limit, in 64 KiB chunks, then ends; and an event of many short lines.
    const longLine = [encode('data: {"choices":[{"index":0,"delta":{"content":"'), ...Array.from({ length: 80 }, () => encode('x'.repeat(65_536))), encode('"}}]}\n\n'), encode(after)];
    expect(read(longLine).reading).toMatchObject({ pieces: 1, characters: 'after'.length });
    const manyLines = [...Array.from({ length: 80 }, () => encode(`data: ${'y'.repeat(65_536)}\n`)), encode('\n'), encode(after)];
    expect(read(manyLines).reading).toMatchObject({ pieces: 1, characters: 'after'.length });
  });

  it('reads a JSON answer only for its usage, and nothing from other types', () => {
    const body = encode('{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}');
    expect(read(cut(body, [5, 40]), 'application/json').reading).toEqual({ stream: false, pieces: 0, characters: 0, inputTokens: 3, outputTokens: 1 });
    expect(read([encode(stream)], 'text/plain').reading).toEqual({ stream: false, pieces: 0, characters: 0, inputTokens: undefined, outputTokens: undefined });
  });
});
