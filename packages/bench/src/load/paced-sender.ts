// Sends one paced load (valid requests or the bad-key flood) from a process of its own, and reports what it measured.
import { randomInt } from 'node:crypto';
import type { LoadTarget } from './drive-load.js';
import { drivePaced, type PacedShape } from './paced-load.js';

/** What a sender process is sent over IPC (plain data: functions cannot cross). */
export interface PacedWork {
  readonly target: LoadTarget;
  readonly shape: PacedShape;
  /**
   * The flood: one of these per request, in turn, as `Authorization: Bearer …`, each from a new
   * client address (the app trusts loopback's x-forwarded-for, so the per-address throttle never trips).
   */
  readonly rotateCredentials?: readonly string[];
}

function randomClientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

if (process.send === undefined) throw new Error('this file is started by the bench harness, with an IPC channel');
const work = await new Promise<PacedWork>((resolve) => process.once('message', (message: PacedWork) => resolve(message)));
const credentials = work.rotateCredentials;
let next = 0;
const result = await drivePaced(
  {
    ...work.target,
    ...(credentials === undefined || credentials.length === 0
      ? {}
      : { vary: () => ({ authorization: `Bearer ${credentials[next++ % credentials.length]!}`, 'x-forwarded-for': randomClientAddress() }) }),
  },
  work.shape,
);
process.send?.(result, () => process.disconnect());
