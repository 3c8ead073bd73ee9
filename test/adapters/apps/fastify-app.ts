// The conformance app on Fastify 5, through @tollgate/fastify: one encapsulated scope per guarded prefix.
import { PassThrough, Readable } from 'node:stream';
import Fastify from 'fastify';
import { tollgate } from '@tollgate/fastify';
import { aborted, nextTurn, type AdapterApp } from '../app-factory.js';
import { answerFor, answerHeader, sseEvents } from '../conformance-fixture.js';

async function* events(): AsyncGenerator<string> {
  for (const event of sseEvents) {
    yield event;
    await nextTurn();
  }
}

export const fastifyApp: AdapterApp = {
  name: 'fastify 5',
  async start(fixture) {
    const app = Fastify();
    app.get('/healthz', async () => ({ status: 'ok' }));
    for (const [prefix, chain] of Object.entries(fixture.mounts)) {
      await app.register(async (scope) => {
        await scope.register(tollgate, { chain });
        // A not-found handler in the scope, so unknown routes under the prefix pass the scope's hooks too.
        scope.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not found' }));
        scope.get('/whoami', async (request) => ({ subject: request.auth?.subject, tenant: request.auth?.tenantId, requestId: request.tollgate?.requestId }));
        scope.post('/echo', async (request) => ({ body: request.body ?? null }));
        scope.post('/answer', async (request, reply) => reply.header(answerHeader, 'conformance').send(answerFor(request.body)));
        scope.get('/stream', async (_request, reply) => reply.type('text/event-stream').send(Readable.from(events())));
        scope.get<{ Querystring: { stream?: string } }>('/hang', async (request, reply) => {
          if (request.query.stream !== '1') {
            await aborted(request.tollgate!.signal);
            return reply.send('');
          }
          const stream = new PassThrough();
          stream.write(sseEvents[0]);
          void aborted(request.tollgate!.signal).then(() => stream.end());
          return reply.type('text/event-stream').send(stream);
        });
      }, { prefix });
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      close: async () => {
        app.server.closeAllConnections();
        await app.close();
      },
    };
  },
};
