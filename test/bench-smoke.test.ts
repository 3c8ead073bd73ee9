// CI smoke run of `pnpm bench`: three configurations, the flood (with its control) and the microbenchmarks, for seconds; no speed is asserted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedRedisOrSkip } from './support/redis-server.js';

const benchDir = fileURLToPath(new URL('../packages/bench/', import.meta.url));

interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the harness as `pnpm bench` does (tsx, run.ts), on the TypeScript sources so no build is needed. */
function runBench(args: readonly string[]): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/run.ts', '--smoke', '--source', ...args], { cwd: benchDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm bench --smoke', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures the selected configurations, the flood and the microbenchmarks, and writes the report and chart', async () => {
    const out = join(dir, 'benchmarks.md');
    const run = await runBench(['--only', 'express/(api-key|full)$', '--out', out]);
    expect(run.stdout).not.toContain('FAILED');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

    // The selected configuration and its baseline (added because the ratio needs it) each have a row.
    const table = run.stdout.slice(run.stdout.indexOf('configuration'));
    expect(table).toMatch(/^express\/bare\s+[\d,]+\s+100 %/m);
    expect(table).toMatch(/^express\/api-key\s+[\d,]+\s+\d+ %/m);
    // req/s, ratio, p50, p99, loop p99, then the app's CPU µs per request and GC share, measured in the app process.
    expect(table).toMatch(/^express\/full\s+[\d,]+\s+\d+ %\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[1-9]\d*\s+\d+\.\d\s+tollgate full chain/m);
    expect(table).not.toMatch(/^fastify\//m);
    expect(run.stdout).toContain('Smoke run: targets are not read.');
    expect(run.stdout).not.toMatch(/^\s+(PASS|MISS)\s/m);

    // The flood ran its three phases and the app refused every bad key.
    expect(run.stdout).toMatch(/without a flood: p50 [\d.]+ ms, p99 [\d.]+ ms \(inside the app [\d.]+ ms\)/);
    expect(run.stdout).toMatch(/with 1000 unknown key ids\/s \(control, refused before argon2\): p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(run.stdout).toMatch(/with 1000 bad keys\/s: p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(run.stdout).toMatch(/the flood was answered at \d+\/s: \{("(401|429|503)":\d+,?)+\}/);

    for (const task of ['API key: verify, cache hit', 'JWT RS256: verify, cache hit', 'JWT RS256: verify, cache miss', 'RBAC: decide (allow)', 'Memory store: reserve + settle 5 limits', 'Inference record: serialise', 'validateRequest: chat body', 'Full chain, API key: one request, no HTTP', 'Full chain, refused: unknown API key id']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*µs mean`, 'm'));
    }
    // Without Redis the harness lists these as not measured; sharedRedisOrSkip says so (and fails under CI=true).
    if (await sharedRedisOrSkip('bench smoke, Redis reservation microbenchmarks')) {
      expect(run.stdout).toMatch(/Redis store: reserve \+ settle 5 limits .*\(1\.00 Redis round trips per reservation\)/);
    } else expect(run.stdout).toMatch(/not measured: Redis store: reserve \+ settle \(no answer from Redis at /);

    const page = readFileSync(out, 'utf8');
    expect(page).toContain("pnpm bench --smoke --source --only 'express/(api-key|full)$'");
    expect(page).toMatch(/\| express\/api-key \| [\d,]+ \| \d+ % \|/);
    expect(page).toContain('![Throughput of each configuration relative to its framework\'s bare route](benchmarks-ratio.svg)');
    const chart = join(dir, 'benchmarks-ratio.svg');
    expect(existsSync(chart)).toBe(true);
    const svg = readFileSync(chart, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('>express/api-key</text>');
  }, 180_000);

  it('starts every app process with the --node-flags given (an unknown one stops each app, and the run says why)', async () => {
    const run = await runBench(['--only', 'express/api-key$', '--no-flood', '--no-micro', '--no-out', '--node-flags=--tollgate-no-such-flag']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('node flags of every app process: --tollgate-no-such-flag (not a default Node)');
    expect(run.stdout).toMatch(/FAILED:\n {2}express\/bare: did not start: [^\n]*exited with code \d+ before it was ready\n[^\n]*bad option: --tollgate-no-such-flag/);
  }, 60_000);

  it('fails, naming the option, on a bad command line', async () => {
    const run = await runBench(['--connections', 'many', '--no-out']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--connections needs a whole number from 1 to 10000; got "many"');
  }, 60_000);
});
