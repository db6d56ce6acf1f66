import { join } from 'node:path';
import { ensureWebBuild, WEB_BUILD_DIR } from '../../console/build-web.js';
import { createApp } from '../../console/server/app.js';
import { listenConsole, type RunningConsole } from '../../console/server/listen.js';
import { consoleSite } from '../../console/server/site.js';
import { openConsole } from '../console-session.js';
import type { CommandContext } from '../context.js';
import { resolveTarget } from '../context.js';

/** Options of `groundwork console`. */
export interface ConsoleOptions {
  /** @default 8080 (another free port if it is taken) */
  readonly port?: number;
}

/** Opens the console over the target and serves it on loopback; resolves once it listens. */
export async function startConsole(ctx: CommandContext, options: ConsoleOptions = {}): Promise<RunningConsole> {
  const { deps, session } = await openConsole(ctx);
  if (resolveTarget(ctx) === 'aws') ctx.out.progress(session.header);
  const web = await ensureWebBuild(WEB_BUILD_DIR, (m) => ctx.out.progress(m));
  const app = createApp(deps);
  const running = await listenConsole(consoleSite(app, web.dir), { port: options.port ?? 8080, explicit: options.port !== undefined });
  if (running.movedFrom) ctx.out.progress(`note: port ${running.movedFrom} is taken; the console listens on another one`);
  ctx.out.progress(`note: changes made in the console are recorded in ${join(ctx.emulatorPaths.stateDir, 'console', 'changes.jsonl')}`);
  return running;
}

/** Waits for Ctrl-C (or SIGTERM), then stops the console. */
export async function serveUntilStopped(running: RunningConsole): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
}

/** `groundwork console [--port 8080]`: the operator console alone, over any target. */
export async function consoleCommand(ctx: CommandContext, options: ConsoleOptions): Promise<void> {
  const running = await startConsole(ctx, options);
  ctx.out.result({ url: running.url }, () => `Console: ${running.url}   (Ctrl-C stops it)`);
  await serveUntilStopped(running);
}
