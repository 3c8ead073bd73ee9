// Config section `body`: limits on the request bodies core reads itself.
import { z } from 'zod';
import { wholeNumberField } from '../config-fields.js';

/** Body limits; a larger body is refused with 413 before it is parsed. */
export const bodySchema = z.strictObject({
  /** Largest JSON body core reads, in bytes. @default 1048576 */
  maxBytes: wholeNumberField(1, Number.MAX_SAFE_INTEGER).optional(),
});

export type BodyConfig = z.infer<typeof bodySchema>;
