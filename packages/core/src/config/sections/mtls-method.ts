// Config of an `mtls` authentication method: certificate bindings, forwarded certificates, and building it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { certificateIdentity, memoryCertificateStore, type CertificateBinding } from '../../mtls/certificate-store.js';
import { mtls, type MtlsMethod } from '../../mtls/mtls.js';
import type { MtlsOptions } from '../../mtls/mtls-options.js';
import { parseCidr } from '../../net/ip-address.js';
import { checkedString, headerNameField, wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';

const binding = z.strictObject({
  /** `fingerprint:AB:…`, `san:URI:spiffe://…`, `san:DNS:…` or `subject:CN=…,O=…`. */
  identity: checkedString(certificateIdentity, 'must be fingerprint:<sha-256 hex>, san:<type>:<value> or subject:<RFC 4514 name>'),
  subject: z.string().min(1),
  kind: z.enum(['user', 'service']).optional(),
  tenantId: z.string().min(1).optional(),
  roles: z.array(z.string()).optional(),
  scopes: z.array(z.string()).optional(),
  models: z.array(z.string()).optional(),
});

/** `type: mtls`: client certificates from the TLS connection or a trusted proxy's header. The limits are mtls()'s own. */
export const mtlsMethodSchema = z.strictObject({
  type: z.literal('mtls'),
  certificates: z.array(binding).min(1),
  match: z.array(z.enum(['fingerprint', 'san', 'subject'])).min(1).optional(),
  forwarded: z
    .strictObject({
      header: headerNameField.refine((h) => h.toLowerCase() !== 'authorization', { error: 'cannot be Authorization' }),
      format: z.enum(['rfc9440', 'pem-urlencoded', 'xfcc']),
      proxies: z.array(checkedString(parseCidr, 'must be an IP address or a CIDR block such as 10.0.0.0/8')).optional(),
      /** PEM files with the CAs a forwarded certificate must be issued by; relative to the config file. */
      caFiles: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  cache: z.union([z.literal(false), z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() })]).optional(),
  storeTimeoutMs: wholeNumberField(1, 60_000).optional(),
});

export type MtlsMethodConfig = z.infer<typeof mtlsMethodSchema>;

/**
 * Builds the method with a memory store holding the configured bindings; CA files are read now.
 *
 * @example
 * const method = buildMtlsMethod(config, '/etc/tollgate', (path, error) => { throw error; });
 */
export function buildMtlsMethod(config: MtlsMethodConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never): MtlsMethod {
  const bindings: Record<string, CertificateBinding> = {};
  config.certificates.forEach(({ identity, ...rest }, index) => {
    const key = certificateIdentity(identity);
    if (key in bindings) fail(['certificates', index, 'identity'], new Error('is listed twice'));
    bindings[key] = { ...rest, ...(rest.roles === undefined ? {} : { roles: [...rest.roles] }), ...(rest.scopes === undefined ? {} : { scopes: [...rest.scopes] }), ...(rest.models === undefined ? {} : { models: [...rest.models] }) };
  });
  const forwarded = config.forwarded;
  const ca = forwarded?.caFiles?.map((file, index) => {
    try {
      return readFileSync(resolve(baseDir, file), 'utf8');
    } catch (error) {
      return fail(['forwarded', 'caFiles', index], new Error(`cannot read ${file}: ${(error as Error).message}`));
    }
  });
  const options: MtlsOptions = {
    store: memoryCertificateStore(bindings),
    ...(config.match === undefined ? {} : { match: [...config.match] }),
    ...(forwarded === undefined
      ? {}
      : { forwarded: { header: forwarded.header, format: forwarded.format, ...(forwarded.proxies === undefined ? {} : { proxies: [...forwarded.proxies] }), ...(ca === undefined ? {} : { ca }) } }),
    ...(config.cache === undefined ? {} : { cache: config.cache === false ? false : { ...config.cache } }),
    ...(config.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: config.storeTimeoutMs }),
  };
  try {
    return mtls(options);
  } catch (error) {
    return fail([], error);
  }
}
