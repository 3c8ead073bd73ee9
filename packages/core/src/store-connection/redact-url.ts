// Connection URLs as they may appear in errors and logs: the password (in the userinfo or the query) replaced.

const secretParams = /^(password|pass|pwd|sslpassword|secret|token|access_token|auth)$/i;

/**
 * The URL with its password and secret query parameters replaced by `***`; text that is not a URL is
 * reduced to its scheme, since it cannot be redacted reliably.
 *
 * @example
 * redactUrl('postgres://app:hunter2@db:5432/prod?sslmode=require') // 'postgres://app:***@db:5432/prod?sslmode=require'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    return scheme === undefined ? '(unreadable URL)' : `${scheme}://(unreadable URL)`;
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) if (secretParams.test(name)) parsed.searchParams.set(name, '***');
  // URL would percent-encode the stars in the query; keep them readable.
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/**
 * The password of a URL, decoded, or undefined; used to scrub it from driver messages that might echo it.
 *
 * @example
 * urlPassword('redis://:s3cret@host:6379') // 's3cret'
 */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
