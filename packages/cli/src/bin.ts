// The `tollgate` executable.
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// An app module loaded by `evidence` may leave handles open (watchers, pools); do not wait on them for long.
setTimeout(() => process.exit(code), 2_000).unref();
