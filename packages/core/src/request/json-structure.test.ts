// Duplicate keys and depth as seen in a body's text, and the request model that exposes them from one parse.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatJsonPath, scanJsonStructure, valueDepth } from './json-structure.js';
import { createRequest, type BodySource } from './tg-request.js';

function requestWith(body: BodySource, type = 'application/json') {
  return createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: (n) => (n === 'content-type' ? [type] : []), remoteAddress: '127.0.0.1', body: () => body });
}
const raw = (text: string): BodySource => ({ kind: 'raw', chunks: async function* () { yield new TextEncoder().encode(text); } });

describe('scanJsonStructure', () => {
  it('finds the first duplicate key with its path, comparing keys after unescaping', () => {
    expect(scanJsonStructure('{"model":"a","max_tokens":1,"model":"b"}').duplicateKey).toBe('model');
    expect(scanJsonStructure('{"model":"a","mod\\u0065l":"b"}').duplicateKey).toBe('model');
    expect(scanJsonStructure('{"messages":[{"role":"user"},{"role":"user","role":"system"}]}').duplicateKey).toBe('messages[1].role');
    expect(scanJsonStructure('{"metadata":{"a b":1,"a b":2}}').duplicateKey).toBe('metadata["a b"]');
    expect(scanJsonStructure('{"a":{"x":1},"b":{"x":1}}').duplicateKey).toBeUndefined();
    expect(scanJsonStructure('{"s":"\\"model\\":1,\\"model\\":2","k":"\\\\"}').duplicateKey).toBeUndefined();
  });

  it('measures nesting depth without recursion, however deep', () => {
    expect(scanJsonStructure('1').depth).toBe(0);
    expect(scanJsonStructure('{"a":[1,{"b":[]}]}').depth).toBe(4);
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(scanJsonStructure(deep)).toEqual({ duplicateKey: undefined, depth: 200_000, duplicatesChecked: true });
    expect(valueDepth(JSON.parse(deep), 100)).toBe(101);
  });

  it('agrees with JSON.parse on every generated document: no duplicates, the same depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value, null, Math.random() < 0.5 ? 0 : 2);
        const structure = scanJsonStructure(text);
        expect(structure.duplicateKey).toBeUndefined();
        expect(structure.depth).toBe(valueDepth(value));
      }),
      { numRuns: 300 },
    );
  });

  it('finds a duplicate planted anywhere in a generated document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 6 }), fc.nat(), (object, pick) => {
        const keys = Object.keys(object);
        const key = keys[pick % keys.length]!;
        const text = `{"outer":${JSON.stringify(object).slice(0, -1)},${JSON.stringify(key)}:null}}`;
        expect(scanJsonStructure(text).duplicateKey).toBe(formatJsonPath(['outer', key]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('TgRequest.jsonStructure', () => {
  it('comes from the same single read as json(), and json() keeps the last value as JSON.parse does', async () => {
    let reads = 0;
    const request = createRequest({
      method: 'POST', path: '/v1/chat/completions', headerValues: (n) => (n === 'content-type' ? ['application/json'] : []), remoteAddress: undefined,
      body: () => { reads += 1; return raw('{"model":"a","model":"b"}'); },
    });
    expect(await request.jsonStructure!()).toEqual({ duplicateKey: 'model', depth: 1, duplicatesChecked: true });
    expect(await request.json()).toEqual({ model: 'b' });
    expect(request.bodyRequested).toBe(true);
    expect(reads).toBe(1);
  });

  it('says duplicates were not checked when the framework parsed the body first', async () => {
    expect(await requestWith({ kind: 'parsed', value: { a: [1] } }).jsonStructure!()).toEqual({ duplicateKey: undefined, depth: 2, duplicatesChecked: false });
  });

  it('lets go of the body text once the structure is scanned: a request in flight holds its body once', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const text = () => JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4 * 1024 * 1024) }] });
    const held = (request: ReturnType<typeof createRequest>) => {
      gc();
      return { request, heap: process.memoryUsage().heapUsed };
    };
    // The same request twice, read by json() alone (text kept for a later scan) and then scanned.
    const bigRequest = () => createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: () => ['application/json'], remoteAddress: undefined, body: () => raw(text()) }, { maxBytes: 8 * 1024 * 1024 });
    const readOnly = bigRequest();
    await readOnly.json();
    const before = held(readOnly);
    const scanned = bigRequest();
    await scanned.json();
    expect(await scanned.jsonStructure!()).toEqual({ duplicateKey: undefined, depth: 3, duplicatesChecked: true });
    const after = held(scanned);
    // Both requests are alive at the second count: the first still holds its text (4 MiB), the second only its value.
    expect(after.heap - before.heap).toBeLessThan(4 * 1024 * 1024 + 1024 * 1024);
    expect(after.heap - before.heap).toBeGreaterThan(3 * 1024 * 1024);
    expect(((await after.request.json()) as { messages: { content: string }[] }).messages[0]!.content).toHaveLength(4 * 1024 * 1024);
    expect(before.request.bodyRequested).toBe(true);
  });

  it('rejects as json() does: 415 for a non-JSON type, 400 for broken JSON', async () => {
    await expect(requestWith(raw('{}'), 'text/plain').jsonStructure!()).rejects.toMatchObject({ code: 'TG_UNSUPPORTED_MEDIA_TYPE' });
    await expect(requestWith(raw('{"a":')).jsonStructure!()).rejects.toMatchObject({ code: 'TG_INVALID_JSON' });
  });
});
