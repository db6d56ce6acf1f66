import { runCli } from './run-cli.js';

/** The only place that exits: the process entry point. */
process.exitCode = await runCli(process.argv.slice(2));
