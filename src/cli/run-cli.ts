import { CommanderError } from 'commander';
import { isAwsError, toGroundworkError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';
import { Output, type OutputStreams } from './output.js';
import { buildProgram } from './program.js';

/** Runs the CLI and returns the exit code: 0 ok, 1 error, 2 changes present (plan --detailed-exitcode). */
export async function runCli(argv: readonly string[], streams: OutputStreams = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let commandExitCode = 0;
  const program = buildProgram(streams, env, (code) => {
    commandExitCode = code;
  });
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return commandExitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      const message = error.message.replace(/^error: /, '');
      new Output({ json, verbose }, streams).error(new GroundworkError('USAGE', message, { hint: 'see `groundwork --help` or `groundwork COMMAND --help`' }));
      return 1;
    }
    // An AWS error that no command mapped still gets a documented code, the failed action and a fix.
    new Output({ json, verbose }, streams).error(isAwsError(error) ? toGroundworkError(error) : error);
    return 1;
  }
}
