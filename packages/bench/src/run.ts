// Entry of `pnpm bench`: reads the command line, maps @tollgate/* to the sources when asked, runs the harness.
import { register } from 'node:module';
import { parseBenchOptions, usage, UsageError, type BenchOptions } from './cli-options.js';

// pnpm may hand on the `--` that separates its own options from the script's.
const argv = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--'));
let options: BenchOptions;
try {
  options = parseBenchOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`pnpm bench: ${error.message}\n\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
// Before anything imports @tollgate/*: the harness process reads them too (parts, microbenchmarks).
if (options.source) register('./source-packages-hook.mjs', import.meta.url);
const { runBench } = await import('./harness.js');
const report = await runBench(options, argv, (line) => console.log(line));
if (report.failed.length > 0 || report.flood?.failure !== undefined || (report.micro?.failures.length ?? 0) > 0) process.exitCode = 1;
