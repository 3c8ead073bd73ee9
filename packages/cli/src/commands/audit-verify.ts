// `tollgate audit verify <file>…`: checks the hash chain of audit log files and names the first broken or missing link.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyAuditChain, type ChainProblem } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';

const usage = `Usage: tollgate audit verify <file>... [--key-env NAME] [--allow-partial] [--json]

Checks the hash chain of inference records written with \`inferenceLog({ chain })\`: every record must
match its hash and link to the one before it. Reports edited, deleted, reordered and duplicated
records, naming the first broken or missing link. Give rotated files oldest first.

  --key-env NAME    environment variable holding the chain key (for chains written with a key)
  --allow-partial   the first file may start in the middle of a chain (older files were removed)
  --json            print the report as JSON

Exit codes: 0 intact, 1 a broken or missing link, 2 bad arguments or unreadable file.
`;

/** Where a global line number falls: which file, which line of it. */
function locate(files: readonly { name: string; lines: number }[], line: number): string {
  let offset = 0;
  for (const file of files) {
    if (line <= offset + file.lines) return `${file.name}:${line - offset}`;
    offset += file.lines;
  }
  return `line ${line}`;
}

export const auditVerifyCommand: CliCommand = {
  path: ['audit', 'verify'],
  summary: 'check the hash chain of audit log files',
  usage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({
      args: [...args],
      allowPositionals: true,
      options: { 'key-env': { type: 'string' }, 'allow-partial': { type: 'boolean' }, json: { type: 'boolean' } },
    });
    if (positionals.length === 0) throw new UsageError('name at least one audit log file');
    const keyEnv = values['key-env'];
    const key = keyEnv === undefined ? undefined : io.env[keyEnv];
    if (keyEnv !== undefined && (key === undefined || key === '')) throw new UsageError(`the environment variable ${keyEnv} (--key-env) is not set`);
    const files: { name: string; lines: number }[] = [];
    const lines: string[] = [];
    for (const name of positionals) {
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, name), 'utf8');
      } catch (error) {
        io.stderr(`tollgate audit verify: cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
        return exitCodes.usage;
      }
      const fileLines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      files.push({ name, lines: fileLines.length });
      lines.push(...fileLines);
    }
    const report = verifyAuditChain(lines, { ...(key === undefined ? {} : { key }), allowPartial: values['allow-partial'] === true });
    const where = (problem: ChainProblem) => locate(files, problem.line);
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ ...report, problems: report.problems.map((p) => ({ ...p, at: where(p) })) }, null, 2)}\n`);
      return report.ok ? exitCodes.ok : exitCodes.failed;
    }
    io.stdout(`${report.records} records in ${report.chains.length} chain${report.chains.length === 1 ? '' : 's'} (${files.map((f) => f.name).join(', ')})\n`);
    for (const chain of report.chains) io.stdout(`  chain ${chain.chainId}: records ${chain.firstSeq}..${chain.lastSeq}, last hash ${chain.lastHash}\n`);
    if (report.ok) {
      io.stdout('OK: every record matches its hash and links to the one before it.\n');
      return exitCodes.ok;
    }
    const [first] = report.problems;
    io.stdout(`BROKEN at ${where(first!)}: ${first!.message.replace(/^line \d+: /, '')}\n`);
    for (const problem of report.problems.slice(1)) io.stdout(`  also ${problem.kind} at ${where(problem)}: ${problem.message.replace(/^line \d+: /, '')}\n`);
    return exitCodes.failed;
  },
};
