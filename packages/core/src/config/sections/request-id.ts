// Config section `requestId`: the header that carries the request id, and whether a client's own is kept.
import { z } from 'zod';
import { headerNameField } from '../config-fields.js';

/** Request id handling; every response carries the id in `header`. */
export const requestIdSchema = z.strictObject({
  /** Header that carries the request id both ways. @default 'x-request-id' */
  header: headerNameField.optional(),
  /** Echo a well-formed id sent by the client instead of making one. @default true */
  acceptIncoming: z.boolean().optional(),
});

export type RequestIdConfig = z.infer<typeof requestIdSchema>;
