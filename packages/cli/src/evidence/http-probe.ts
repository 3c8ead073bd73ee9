// One real HTTP request to the app over a socket, kept as a transcript an auditor can read.
import { request } from 'node:http';
import { scrubCredentials } from '@tollgate/core';

/** A request the evidence command sends. */
export interface ProbeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A request and the response it got, headers in the order and case they were sent. */
export interface ProbeTranscript {
  readonly request: ProbeRequest;
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

const maxBody = 4096;

/**
 * Sends `probe` to `baseUrl` (the app on loopback) and records the exchange. The response body is
 * kept up to 4 KiB.
 *
 * @example
 * const t = await sendProbe('http://127.0.0.1:8080', { method: 'POST', path: '/v1/chat/completions', headers: {}, body: '{}' });
 * t.status // 401
 */
export function sendProbe(baseUrl: string, probe: ProbeRequest, timeoutMs = 15_000): Promise<ProbeTranscript> {
  return new Promise((resolve, reject) => {
    const url = new URL(probe.path, baseUrl);
    const headers: Record<string, string> = { ...probe.headers };
    if (probe.body !== undefined) headers['content-length'] = String(Buffer.byteLength(probe.body));
    const req = request(url, { method: probe.method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < maxBody) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        const body = Buffer.concat(chunks).subarray(0, maxBody).toString('utf8') + (size > maxBody ? `\n… (${size - maxBody} more bytes)` : '');
        resolve({ request: { ...probe, headers }, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: pairs, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${probe.method} ${probe.path} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(probe.body);
  });
}

/**
 * The transcript as text: `>` lines for the request, `<` lines for the response, credentials
 * replaced by `[redacted]`.
 *
 * @example
 * formatTranscript(t) // '> POST /v1/chat/completions HTTP/1.1\n> content-type: …\n…\n< HTTP/1.1 401 Unauthorized\n…'
 */
export function formatTranscript(transcript: ProbeTranscript): string {
  const { request: sent } = transcript;
  const secretHeader = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$/i;
  const header = (name: string, value: string) => `${name}: ${secretHeader.test(name) ? '[redacted]' : scrubCredentials(value)}`;
  const lines = [
    `> ${sent.method} ${sent.path} HTTP/1.1`,
    ...Object.entries(sent.headers).map(([name, value]) => `> ${header(name, value)}`),
    '>',
    ...(sent.body === undefined ? [] : sent.body.split('\n').map((l) => `> ${l}`)),
    `< HTTP/1.1 ${transcript.status} ${transcript.statusText}`,
    ...transcript.headers.map(([name, value]) => `< ${header(name, value)}`),
    '<',
    ...transcript.body.split('\n').map((l) => `< ${scrubCredentials(l)}`),
  ];
  return `${lines.join('\n')}\n`;
}
