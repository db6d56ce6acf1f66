import { join } from 'node:path';
import { ensureWebBuild, WEB_BUILD_DIR } from '../../console/build-web.js';
import { loopbackHosts, newConsoleToken, urlWithToken } from '../../console/server/access.js';
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
  /** More `Host` names to answer besides 127.0.0.1, localhost and [::1] (`--host`), such as a tunnel's. @default none */
  readonly host?: readonly string[];
}

/** A console serving: where it listens, and the URL with this launch's token that opens it. */
export interface ServedConsole extends RunningConsole {
  /** The one place the token is shown: printed once, in the `Console:` line (and `--json`'s `url`). */
  readonly openUrl: string;
}

/**
 * Opens the console over the target and serves it on loopback, for the Host names of its port only and behind a new
 * token; resolves once it listens.
 */
export async function startConsole(ctx: CommandContext, options: ConsoleOptions = {}): Promise<ServedConsole> {
  const { deps, session } = await openConsole(ctx);
  if (resolveTarget(ctx) === 'aws') ctx.out.progress(session.header);
  const web = await ensureWebBuild(WEB_BUILD_DIR, (m) => ctx.out.progress(m));
  const token = newConsoleToken();
  // The port is known once the server listens (8080 may be taken); until then no Host is answered.
  let hosts: ReadonlySet<string> = new Set();
  const app = createApp(deps, { token, hosts: () => hosts });
  const running = await listenConsole(consoleSite(app, web.dir), { port: options.port ?? 8080, explicit: options.port !== undefined });
  hosts = loopbackHosts(running.port, options.host);
  if (running.movedFrom) ctx.out.progress(`note: port ${running.movedFrom} is taken; the console listens on another one`);
  if (options.host?.length)
    ctx.out.progress(`note: the console also answers as ${[...hosts].slice(3).join(', ')} (--host); it still listens on 127.0.0.1 only`);
  ctx.out.progress(`note: changes made in the console are recorded in ${join(ctx.emulatorPaths.stateDir, 'console', 'changes.jsonl')}`);
  return { ...running, openUrl: urlWithToken(running.url, token) };
}

/** Waits for Ctrl-C (or SIGTERM), then stops the console. */
export async function serveUntilStopped(running: RunningConsole): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
}

/** `groundwork console [--port 8080] [--host NAME]`: the operator console alone, over any target. */
export async function consoleCommand(ctx: CommandContext, options: ConsoleOptions): Promise<void> {
  const running = await startConsole(ctx, options);
  ctx.out.result({ url: running.openUrl }, () => `Console: ${running.openUrl}   (open this URL: the token signs the browser in; Ctrl-C stops it)`);
  await serveUntilStopped(running);
}
