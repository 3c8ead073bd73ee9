// `tollgate audit verify` on real log files written by the inference log: intact, edited, deleted, reordered, rotated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKey, gate, inferenceLog, memoryKeyStore, pinoAuditSink, type RequestInput } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import type { CliIo } from '../command.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-verify-'));
const chainKey = 'verify-chain-key-'.padEnd(40, 'v');
const input: RequestInput = { method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) };

/** Runs the command with captured output. */
async function verify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir, env: { CHAIN_KEY: chainKey } };
  const code = await runCli(['audit', 'verify', ...args], io);
  return { code, out, err };
}

/** Writes `count` records through a real gate and log into `file`, chained under the key. */
async function writeLog(file: string, count: number): Promise<string[]> {
  const log = inferenceLog({ sinks: [pinoAuditSink({ destination: { path: join(dir, file) } })], chain: { key: chainKey } });
  const tg = gate({ inferenceLog: log, authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } });
  for (let i = 0; i < count; i++) {
    const handle = tg.start(input);
    const refused = await tg.run(handle);
    await tg.finish(handle, { status: refused!.status, aborted: false });
  }
  await tg.close();
  return readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean);
}

describe('tollgate audit verify', () => {
  let lines: string[];
  beforeAll(async () => {
    lines = await writeLog('audit.log', 6);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes an intact log and prints the chain head to keep elsewhere', async () => {
    const result = await verify('audit.log', '--key-env', 'CHAIN_KEY');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/6 records in 1 chain/);
    expect(result.out).toContain(`last hash ${(JSON.parse(lines[5]!) as { hash: string }).hash}`);
    expect(result.out).toContain('OK');
  });

  it('names the edited record', async () => {
    const edited = [...lines];
    edited[2] = edited[2]!.replace('"status":401', '"status":200');
    writeFileSync(join(dir, 'edited.log'), `${edited.join('\n')}\n`);
    const result = await verify('edited.log', '--key-env', 'CHAIN_KEY');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/BROKEN at edited\.log:3: record 3 of chain ch_\w+ does not match its hash/);
  });

  it('names the missing link when a record was deleted', async () => {
    writeFileSync(join(dir, 'deleted.log'), `${lines.filter((_, i) => i !== 3).join('\n')}\n`);
    const result = await verify('deleted.log', '--key-env', 'CHAIN_KEY');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/BROKEN at deleted\.log:4: record 4 is missing from chain/);
  });

  it('names reordered records', async () => {
    const swapped = [...lines];
    [swapped[1], swapped[4]] = [swapped[4]!, swapped[1]!];
    writeFileSync(join(dir, 'reordered.log'), `${swapped.join('\n')}\n`);
    const result = await verify('reordered.log', '--key-env', 'CHAIN_KEY', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as { problems: { kind: string; at: string }[] };
    expect(report.problems.map((p) => p.kind)).toContain('reordered');
    expect(report.problems.every((p) => p.at.startsWith('reordered.log:'))).toBe(true);
  });

  it('checks rotated files in order, and a later file alone only with --allow-partial', async () => {
    writeFileSync(join(dir, 'part1.log'), `${lines.slice(0, 3).join('\n')}\n`);
    writeFileSync(join(dir, 'part2.log'), `${lines.slice(3).join('\n')}\n`);
    expect((await verify('part1.log', 'part2.log', '--key-env', 'CHAIN_KEY')).code).toBe(0);
    expect((await verify('part2.log', '--key-env', 'CHAIN_KEY')).code).toBe(1);
    expect((await verify('part2.log', '--key-env', 'CHAIN_KEY', '--allow-partial')).code).toBe(0);
  });

  it('reports a wrong key as altered records, and bad arguments with exit code 2', async () => {
    expect((await verify('audit.log')).code).toBe(1);
    const missingEnv = await verify('audit.log', '--key-env', 'NOT_SET');
    expect(missingEnv).toMatchObject({ code: 2, err: expect.stringContaining('NOT_SET (--key-env) is not set') });
    expect((await verify()).code).toBe(2);
    expect(await verify('no-such.log')).toMatchObject({ code: 2, err: expect.stringContaining('cannot read no-such.log: ENOENT') });
    expect((await verify('audit.log', '--frobnicate')).code).toBe(2);
  });
});
