import { spawn } from 'node:child_process';
import { GroundworkError } from '../errors.js';
import type { CommandRunner } from './images.js';

/** Runs a program with its output streamed into the job log; the registry password goes to stdin, never to arguments. */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] });
    child.on('error', (error) =>
      reject(
        new GroundworkError('USAGE', `${command} could not be started: ${error.message}`, {
          hint: `install ${command} on the runner (GitHub's hosted runners have it)`,
        }),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new GroundworkError('USAGE', `${command} ${args.slice(0, 2).join(' ')} exited with code ${code}`, { hint: 'read its output above' })),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
