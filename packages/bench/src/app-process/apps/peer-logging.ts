// The request log of the peer stacks: pino to a file with asynchronous, buffered writes (as tollgate's file sink batches).
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

/**
 * A pino logger appending to `<workDir>/<name>-<pid>.log` through an asynchronous sonic-boom
 * destination, the setup a careful team would pick for a hot path.
 *
 * @example
 * app.use(pinoHttp({ logger: peerLogger(workDir, 'express-passport') }));
 */
export function peerLogger(workDir: string, name: string): Logger {
  return pino(pino.destination({ dest: join(workDir, `${name}-${process.pid}.log`), sync: false, mkdir: true }));
}
