import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { BodyHandoff } from './body-handoff.js';

function requestWithBody(): IncomingMessage {
  return { headers: { 'content-length': '7' } } as unknown as IncomingMessage;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BodyHandoff', () => {
  it('asks for the body a microtask after a step first reads, and reads what preParsing supplies', async () => {
    const onWanted = vi.fn();
    const handoff = new BodyHandoff(requestWithBody(), onWanted);
    const source = handoff.source();
    if (source.kind !== 'raw') throw new Error('expected a raw body source');
    const read = source.collect!(1024);
    expect(onWanted).not.toHaveBeenCalled();
    await turn();
    expect(onWanted).toHaveBeenCalledTimes(1);
    const payload = new PassThrough();
    handoff.supply(payload);
    payload.end('{"a":1}');
    expect(Buffer.from(await read).toString()).toBe('{"a":1}');
  });

  it('replays the bytes once, and holds them no more after that', async () => {
    const handoff = new BodyHandoff(requestWithBody(), () => undefined);
    const source = handoff.source();
    if (source.kind !== 'raw') throw new Error('expected a raw body source');
    const read = source.collect!(1024);
    const payload = new PassThrough();
    handoff.supply(payload);
    payload.end('{"a":1}');
    await read;
    const replayed = handoff.replay();
    const chunks: Buffer[] = [];
    for await (const chunk of replayed!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('{"a":1}');
    expect(handoff.replay()).toBeUndefined();
  });

  it('no longer calls its caller back once released (the run decided without the body)', async () => {
    const onWanted = vi.fn();
    const handoff = new BodyHandoff(requestWithBody(), onWanted);
    handoff.release();
    const source = handoff.source();
    if (source.kind !== 'raw') throw new Error('expected a raw body source');
    void source.collect!(1024).catch(() => undefined);
    await turn();
    expect(onWanted).not.toHaveBeenCalled();
    handoff.cancel();
  });
});
