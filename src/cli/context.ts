import packageJson from '../../package.json' with { type: 'json' };
import { ClientFactory, type Target } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';
import { loadConfig } from '../config/load-config.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import { defaultEmulatorPaths, type EmulatorPaths, emulatorStatus } from '../sandbox/emulator.js';
import { TrailRecorder } from '../sandbox/trail-recorder.js';
import { MESSAGES } from './messages.js';
import type { Output } from './output.js';

/** The global flags of the CLI contract. */
export interface GlobalOptions {
  readonly config: string;
  readonly target?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly json: boolean;
  readonly verbose: boolean;
}

/** What every command receives: the flags, the output, the environment, and where the emulator lives. */
export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly emulatorPaths: EmulatorPaths;
  /** Work to finish when the command ends, whatever the outcome (the sandbox trail recorder's flush). */
  readonly cleanup: (() => Promise<void>)[];
  /** The one clock every command reads ("now", the current month, an audit window). */
  readonly now: Clock;
}

/** Builds a context from parsed flags. */
export function createContext(globals: GlobalOptions, out: Output, env: NodeJS.ProcessEnv = process.env): CommandContext {
  return { globals, out, env, emulatorPaths: defaultEmulatorPaths(env.GROUNDWORK_HOME, env), cleanup: [], now: systemClock };
}

/** The target from --target, then GROUNDWORK_TARGET, then sandbox. */
export function resolveTarget(ctx: CommandContext): Target {
  const value = ctx.globals.target ?? ctx.env.GROUNDWORK_TARGET ?? 'sandbox';
  if (value !== 'sandbox' && value !== 'aws') {
    throw new GroundworkError('USAGE', `--target must be "sandbox" or "aws", got "${value}"`, {
      hint: 'use --target sandbox (local emulator, the default) or --target aws',
    });
  }
  return value;
}

/** Loads the config named by --config. */
export function configFrom(ctx: CommandContext): GroundworkConfig {
  return loadConfig(ctx.globals.config);
}

/** The AWS client factory for this command: endpoint from --endpoint, AWS_ENDPOINT_URL, or the running emulator. */
export async function clientsFrom(ctx: CommandContext, config?: GroundworkConfig): Promise<ClientFactory> {
  const target = resolveTarget(ctx);
  const region = ctx.globals.region ?? ctx.env.AWS_REGION ?? config?.organization.homeRegion ?? 'us-east-1';
  let endpoint = ctx.globals.endpoint ?? ctx.env.AWS_ENDPOINT_URL;
  if (!endpoint && target === 'sandbox') {
    const status = await emulatorStatus(ctx.emulatorPaths);
    if (!status.running) {
      throw new GroundworkError('EMULATOR_NOT_RUNNING', MESSAGES.emulatorNotRunning, { hint: MESSAGES.emulatorNotRunningHint });
    }
    endpoint = status.endpoint;
  }
  if (endpoint && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new GroundworkError('USAGE', `endpoint "${endpoint}" is not an http(s) URL`, { hint: 'e.g. --endpoint http://127.0.0.1:4566' });
  }
  ctx.out.debug(`target=${target} region=${region} endpoint=${endpoint ?? '(AWS default)'}`);
  const clients = new ClientFactory({ target, region, profile: target === 'aws' ? (ctx.globals.profile ?? ctx.env.AWS_PROFILE) : undefined, endpoint });
  if (target === 'sandbox') {
    // Every call against the emulator is also written as a CloudTrail event, so audit search shows what Groundwork did.
    const recorder = new TrailRecorder(clients, `groundwork-cli/${packageJson.version}`, ctx.now);
    ctx.cleanup.push(async () => {
      const written = await recorder.flush().catch((error: Error) => {
        ctx.out.debug(`the sandbox trail recorder could not write: ${error.message}`);
        return 0;
      });
      ctx.out.debug(`recorded ${written} call(s) in the sandbox trail`);
    });
  }
  return clients;
}
