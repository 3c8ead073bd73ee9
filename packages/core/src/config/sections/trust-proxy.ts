// Config section `trustProxy`: which proxies in front of the app may name the client's IP.
import { z } from 'zod';
import { parseCidr } from '../../net/ip-address.js';
import { checkedString, wholeNumberField } from '../config-fields.js';

const hops = wholeNumberField(0, 32);
const cidr = checkedString(parseCidr, 'must be an IP address or a CIDR block such as 10.0.0.0/8 or fd00::/8');

const trustProxyObject = z
  .strictObject({
    /** The N proxies nearest to the app are trusted, whatever their addresses. */
    hops: hops.optional(),
    /** A hop is trusted when its address is inside one of these blocks. */
    cidrs: z.array(cidr).optional(),
    /** Which header carries the chain. @default 'x-forwarded-for' */
    header: z.enum(['x-forwarded-for', 'forwarded']).optional(),
  })
  // Exactly one: with neither there is no rule to decide which hop to believe.
  .refine((value) => (value.hops === undefined) !== (value.cidrs === undefined), {
    error: 'needs exactly one of hops or cidrs',
  });

/**
 * `false` (default: the socket peer is the client), a hop count, a list of CIDR blocks, or the object form.
 * Same meaning as the `trustProxy` option of `gate()`.
 */
export const trustProxySchema = z.union([z.literal(false), hops, z.array(cidr), trustProxyObject], {
  error: 'must be false, a hop count from 0 to 32, a list of CIDR blocks, or { hops | cidrs, header }',
});

export type TrustProxyConfig = z.infer<typeof trustProxySchema>;
