// Config section `errors`: how failures are rendered to clients.
import { z } from 'zod';
import { assertQuotable } from '../../errors/render-error.js';
import { checkedString } from '../config-fields.js';

/** The error body format and the `WWW-Authenticate` realm (a custom renderer needs code, not a file). */
export const errorsSchema = z.strictObject({
  /** `openai` (`{ error: { message, type, code, param } }`) or `problem` (RFC 9457). @default 'openai' */
  format: z.enum(['openai', 'problem']).optional(),
  /** Realm in `WWW-Authenticate: Bearer realm="…"`. @default 'tollgate' */
  realm: checkedString((value) => assertQuotable(value, 'errors.realm'), `must be printable ASCII without '"' or '\\'`).optional(),
});

export type ErrorsConfig = z.infer<typeof errorsSchema>;
