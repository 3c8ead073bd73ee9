// Sends the bad-key flood from its own process, so its event loop does not delay the valid requests being timed.
import { randomInt } from 'node:crypto';
import type { LoadTarget } from './drive-load.js';
import { drivePaced, type PacedShape } from './paced-load.js';

/** What the flood process is sent over IPC (plain data: functions cannot cross). */
export interface FloodWork {
  readonly target: LoadTarget;
  /** Sent in turn, one per request, as `Authorization: Bearer …`. */
  readonly credentials: readonly string[];
  readonly shape: PacedShape;
}

function randomClientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

if (process.send === undefined) throw new Error('this file is started by the bench harness, with an IPC channel');
const work = await new Promise<FloodWork>((resolve) => process.once('message', (message: FloodWork) => resolve(message)));
let next = 0;
const result = await drivePaced(
  {
    ...work.target,
    // A new client address each (the app trusts loopback's x-forwarded-for), so the per-address throttle never trips.
    vary: () => ({ authorization: `Bearer ${work.credentials[next++ % work.credentials.length]!}`, 'x-forwarded-for': randomClientAddress() }),
  },
  work.shape,
);
process.send?.(result, () => process.disconnect());
