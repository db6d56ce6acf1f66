import { emulatorStatus, ensureEmulatorInstalled, startEmulator, stopEmulator } from '../../sandbox/emulator.js';
import type { CommandContext } from '../context.js';

/** `groundwork emulator start [--port N]`. */
export async function emulatorStartCommand(ctx: CommandContext, options: { port?: number }): Promise<void> {
  const result = await startEmulator(ctx.emulatorPaths, { port: options.port, progress: (m) => ctx.out.progress(m) });
  if (result.notice) ctx.out.progress(`note: ${result.notice}`);
  ctx.out.result({ running: true, endpoint: result.state.endpoint, pid: result.state.pid, alreadyRunning: result.alreadyRunning }, () =>
    result.alreadyRunning
      ? `The emulator is already running at ${result.state.endpoint} (pid ${result.state.pid})`
      : `The emulator is running at ${result.state.endpoint} (pid ${result.state.pid})\nPoint any AWS client at it: AWS_ENDPOINT_URL=${result.state.endpoint}`,
  );
}

/** `groundwork emulator stop`: stops only the process recorded in the pid file. */
export async function emulatorStopCommand(ctx: CommandContext): Promise<void> {
  const stopped = await stopEmulator(ctx.emulatorPaths);
  ctx.out.result({ stopped }, () => (stopped ? 'The emulator is stopped' : 'No emulator started by Groundwork was running'));
}

/** `groundwork emulator status`: `{"running":bool,"endpoint":"…"}` with --json. */
export async function emulatorStatusCommand(ctx: CommandContext): Promise<void> {
  const status = await emulatorStatus(ctx.emulatorPaths);
  ctx.out.result({ running: status.running, endpoint: status.endpoint }, () =>
    status.running ? `running at ${status.endpoint} (pid ${status.pid})` : 'not running',
  );
}

/** `groundwork emulator install`: the pinned moto and cfn-lint into the venv, without starting anything (CI runners). */
export async function emulatorInstallCommand(ctx: CommandContext): Promise<void> {
  await ensureEmulatorInstalled(ctx.emulatorPaths, (m) => ctx.out.progress(m));
  ctx.out.result({ installed: true, venv: ctx.emulatorPaths.venvDir }, () => `The emulator and cfn-lint are installed in ${ctx.emulatorPaths.venvDir}`);
}
