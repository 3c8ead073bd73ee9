// The bench's model call over loopback: a keep-alive socket the server dropped as it was reused is retried once, nothing else is.
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { post } from './upstream.js';

let server: Server | undefined;
const agents: Agent[] = [];

async function serve(handle: (req: IncomingMessage, res: ServerResponse, nth: number) => void): Promise<URL> {
  const served = new WeakMap<Socket, number>();
  server = createServer((req, res) => {
    const nth = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, nth);
    handle(req, res, nth);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/chat/completions`);
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

async function text(response: IncomingMessage): Promise<string> {
  let out = '';
  for await (const chunk of response) out += String(chunk);
  return out;
}

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe('post', () => {
  it('sends the request again on a new socket when a reused keep-alive socket is reset before any answer', async () => {
    const seen: string[] = [];
    // Each connection answers its first request and drops its second unanswered: what a server's
    // keepAliveTimeout does to a socket the client reuses at that moment.
    const url = await serve((req, res, nth) => {
      void text(req).then((body) => {
        seen.push(`${nth}:${body}`);
        if (nth === 1) res.end(`answer to ${body}`);
        else req.socket.destroy();
      });
    });
    const agent = keepAliveAgent();
    expect(await text(await post(agent, url, { n: 1 }, undefined))).toBe('answer to {"n":1}');
    expect(await text(await post(agent, url, { n: 2 }, undefined))).toBe('answer to {"n":2}');
    expect(seen).toEqual(['1:{"n":1}', '2:{"n":2}', '1:{"n":2}']);
  });

  it('does not retry a reset on a fresh socket', async () => {
    let requests = 0;
    const url = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    await expect(post(keepAliveAgent(), url, { n: 1 }, undefined)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(requests).toBe(1);
  });

  it('gives up with the reset when the retry is reset too', async () => {
    let requests = 0;
    const url = await serve((req, res, nth) => {
      requests++;
      if (nth === 1 && requests === 1) res.end('first');
      else req.socket.destroy();
    });
    const agent = keepAliveAgent();
    await text(await post(agent, url, { n: 1 }, undefined));
    await expect(post(agent, url, { n: 2 }, undefined)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(requests).toBe(3);
  });

  it('does not retry an answer that is an error status', async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests++;
      res.statusCode = 500;
      res.end('no');
    });
    const agent = keepAliveAgent();
    for (const _ of [1, 2]) {
      const response = await post(agent, url, {}, undefined);
      expect([response.statusCode, await text(response)]).toEqual([500, 'no']);
    }
    expect(requests).toBe(2);
  });
});
