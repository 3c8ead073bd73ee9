import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJsonObject, providerUrl } from './remote-endpoint.js';
import { isJwtShaped, isOpaqueToken } from './token-form.js';

describe('providerUrl', () => {
  it('takes https anywhere and http only on loopback', () => {
    expect(providerUrl('https://idp.example.com/jwks', 'x').href).toBe('https://idp.example.com/jwks');
    for (const ok of ['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks', 'http://127.8.9.10/']) expect(() => providerUrl(ok, 'x')).not.toThrow();
    for (const bad of ['http://idp.example.com/jwks', 'http://10.0.0.1/jwks', 'ftp://x/', 'file:///etc/passwd', 'not a url', '', 'https://user:pw@idp.example.com/']) {
      expect(() => providerUrl(bad, 'jwt.jwksUri'), bad).toThrow(/jwt\.jwksUri/);
    }
  });
});

describe('token forms', () => {
  it('tells JWTs from opaque tokens and API keys', () => {
    expect(isJwtShaped('a.b.c')).toBe(true);
    expect(isJwtShaped('a.b.')).toBe(true);
    for (const no of ['a.b', 'a.b.c.d', 'a..c', 'a.b.c=', 'a+.b.c', '.b.c']) expect(isJwtShaped(no), no).toBe(false);
    expect(isOpaqueToken('2YotnFZFEjr1zCsicMWpAA')).toBe(true);
    expect(isOpaqueToken('tg_live_x')).toBe(false);
    expect(isOpaqueToken('a.b.c')).toBe(false);
  });
});

describe('fetchJsonObject', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      else if (req.url === '/big') res.writeHead(200).end(`{"x":"${'a'.repeat(5_000)}"}`);
      else if (req.url === '/array') res.writeHead(200).end('[1]');
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end('{}'), 5_000).unref();
      else res.writeHead(500).end('{"error":"boom"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const get = (path: string) => fetchJsonObject(new URL(path, base), { timeoutMs: 300, maxBytes: 1_024 });

  it('returns a JSON object', async () => {
    expect(await get('/ok')).toEqual({ keys: [] });
  });

  it('fails cleanly on errors, oversize bodies, non-objects, redirects and timeouts', async () => {
    await expect(get('/fail')).rejects.toMatchObject({ name: 'RemoteEndpointError', status: 500 });
    await expect(get('/big')).rejects.toThrow(/larger than 1024 bytes/);
    await expect(get('/array')).rejects.toThrow(/not answer a JSON object/);
    await expect(get('/redirect')).rejects.toMatchObject({ name: 'RemoteEndpointError' });
    await expect(get('/slow')).rejects.toThrow(/no complete answer within 300 ms/);
  });
});
