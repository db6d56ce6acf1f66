import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { STATEMENT_FORMATS } from '../cost/render-statement.js';
import { type ApplyOptions, applyCommand } from './commands/apply.js';
import { type AuditSearchOptions, auditSearchCommand } from './commands/audit.js';
import { type AuthImportOptions, authCodeCommand, authImportCommand } from './commands/auth.js';
import { type BillsOptions, billsCommand } from './commands/bills.js';
import { consoleCommand } from './commands/console.js';
import { costEstimateCommand } from './commands/cost-estimate.js';
import { type CostsOptions, costsCommand } from './commands/costs.js';
import { type DeployOptions, deployCommand, diffCommand } from './commands/deploy.js';
import { emulatorInstallCommand, emulatorStartCommand, emulatorStatusCommand, emulatorStopCommand } from './commands/emulator.js';
import { type MigrateIamOptions, migrateIamCommand } from './commands/migrate-iam.js';
import { planCommand } from './commands/plan.js';
import { schemaCommand } from './commands/schema.js';
import { statusCommand } from './commands/status.js';
import { synthCommand } from './commands/synth.js';
import { upCommand } from './commands/up.js';
import { usersGrantCommand, usersImportCommand, usersListCommand, usersRevokeCommand } from './commands/users.js';
import { type ValidateOptions, validateCommand } from './commands/validate.js';
import { type CommandContext, createContext, type GlobalOptions } from './context.js';
import { MESSAGES } from './messages.js';
import { Output, type OutputStreams } from './output.js';

/** Parses a port number flag. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${value}" is not a port; use 1-65535.`);
  return port;
}

/** Parses a Host name flag: a DNS name or an IP address, optionally with `:PORT` (`devbox.internal:8080`, `[::1]:9000`). */
export function parseHostName(value: string): string {
  const match = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(value);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) {
    throw new InvalidArgumentError(`"${value}" is not a host name; use NAME or NAME:PORT, such as devbox.internal:8080.`);
  }
  return value.toLowerCase();
}

/** Parses a whole-number flag of 0 or more. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number of 0 or more.`);
  return n;
}

/** The commander program. Commands are plain async functions taking a CommandContext. */
export function buildProgram(streams: OutputStreams = process, env: NodeJS.ProcessEnv = process.env, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('groundwork')
    .description(MESSAGES.program)
    .version(packageJson.version)
    .option('-c, --config <file>', MESSAGES.options.config, 'groundwork.yaml')
    .addOption(new Option('--target <target>', MESSAGES.options.target).choices(['sandbox', 'aws']))
    .option('--profile <name>', MESSAGES.options.profile)
    .option('--region <region>', MESSAGES.options.region)
    .option('--endpoint <url>', MESSAGES.options.endpoint)
    .option('--json', MESSAGES.options.json, false)
    .option('--verbose', MESSAGES.options.verbose, false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      outputError: () => {},
    });

  const run =
    <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<unknown>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      const ctx = createContext(globals, new Output({ json: globals.json, verbose: globals.verbose }, streams), env);
      try {
        const code = await fn(ctx, ...(args.slice(0, -1) as A));
        if (typeof code === 'number') setExitCode(code);
      } finally {
        for (const task of ctx.cleanup.splice(0)) await task();
      }
    };

  program
    .command('validate')
    .description(MESSAGES.commands.validate)
    .option('--annotations', 'also print each error as a GitHub Actions annotation at its file, line and column (default inside GitHub Actions)')
    .option('--people <file>', 'also check a people CSV against the config, offline: each row by the import’s rules, groups declared, no name or e-mail twice')
    .action(run((ctx, o: ValidateOptions) => validateCommand(ctx, o)));
  program
    .command('synth')
    .description(MESSAGES.commands.synth)
    .option('--out <dir>', MESSAGES.options.out)
    .option('--check', MESSAGES.options.check, false)
    .action(run((ctx, o: { out?: string; check?: boolean }) => synthCommand(ctx, o)));
  program
    .command('plan')
    .description(MESSAGES.commands.plan)
    .option('--detailed-exitcode', MESSAGES.options.detailedExitcode, false)
    .option('--skip-member-settings', MESSAGES.options.skipMemberSettings, false)
    .action(run((ctx, o: { detailedExitcode?: boolean; skipMemberSettings?: boolean }) => planCommand(ctx, o)));
  program
    .command('apply')
    .description(MESSAGES.commands.apply)
    .option('-y, --yes', MESSAGES.options.yes, false)
    .option('--allow-close', MESSAGES.options.allowClose, false)
    .option('--close <names>', MESSAGES.options.close, (v: string) =>
      v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .action(run((ctx, o: ApplyOptions) => applyCommand(ctx, o)));
  program
    .command('deploy')
    .description(MESSAGES.commands.deploy)
    .option('--dry-run', 'print every step with account, region, role and change, and change nothing', false)
    .option('-y, --yes', MESSAGES.options.yes, false)
    .option('--summary <file>', 'append the outcome as Markdown to FILE (in GitHub Actions: "$GITHUB_STEP_SUMMARY")')
    .action(run((ctx, o: DeployOptions) => deployCommand(ctx, o)));
  program.command('diff').description(MESSAGES.commands.diff).action(run(diffCommand));
  program.command('cost-estimate').description(MESSAGES.commands.costEstimate).action(run(costEstimateCommand));
  program.command('status').description(MESSAGES.commands.status).action(run(statusCommand));
  program
    .command('up')
    .description(MESSAGES.commands.up)
    .option('--no-console', 'stop once the sandbox is ready, without serving the console')
    .option('--console-port <port>', 'port of the console (default 8080; a free one is picked if it is taken)', parsePort)
    .action(run(upCommand));
  program
    .command('console')
    .description(MESSAGES.commands.console)
    .option('--port <port>', 'port on 127.0.0.1 (default 8080; a free one is picked if 8080 is taken)', parsePort)
    .option(
      '--host <name>',
      "also answer requests for this Host name (NAME or NAME:PORT; repeatable), such as an SSH tunnel's; it still listens on 127.0.0.1 only",
      (value: string, previous: string[]) => [...previous, parseHostName(value)],
      [] as string[],
    )
    .action(run(consoleCommand));
  program
    .command('schema')
    .description(MESSAGES.commands.schema)
    .option('--out <file>', 'file to write (default: stdout)')
    .action(run((ctx, o: { out?: string }) => schemaCommand(ctx, o)));

  const users = program.command('users').description(MESSAGES.commands.users);
  users
    .command('import')
    .description(MESSAGES.commands.usersImport)
    .argument('<file>', 'CSV file: username,email,given_name,family_name,display_name,groups (groups separated by ;)')
    .option('--dry-run', 'validate and report what would change, without writing', false)
    .option('--remove-missing', 'deactivate people who are in Identity Center but not in the file (their group memberships removed; never deleted)', false)
    .option(
      '--max-removals <n>',
      'with --remove-missing: refuse, changing nothing, when more people than this would be deactivated (default 5)',
      parsePositiveInt,
    )
    .action(run((ctx, file: string, o: { dryRun?: boolean; removeMissing?: boolean; maxRemovals?: number }) => usersImportCommand(ctx, file, o)));
  users.command('list').description(MESSAGES.commands.usersList).action(run(usersListCommand));
  users
    .command('grant')
    .description(MESSAGES.commands.usersGrant)
    .argument('<user>', 'user name')
    .requiredOption('--group <group>', 'group name')
    .action(run((ctx, user: string, o: { group: string }) => usersGrantCommand(ctx, user, o)));
  users
    .command('revoke')
    .description(MESSAGES.commands.usersRevoke)
    .argument('<user>', 'user name')
    .requiredOption('--group <group>', 'group name')
    .action(run((ctx, user: string, o: { group: string }) => usersRevokeCommand(ctx, user, o)));

  users
    .command('migrate-iam')
    .description(MESSAGES.commands.usersMigrateIam)
    .option('--out <dir>', 'folder for the proposal', 'migration')
    .option('--account <name>', 'account to assign the new permission sets in (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--email-domain <domain>', 'domain for users without an e-mail tag', 'example.com')
    .option('--force', 'replace files of an earlier proposal in --out', false)
    .action(
      run((ctx, o: MigrateIamOptions) => migrateIamCommand(ctx, { ...o, account: o.account.length > 0 ? o.account : ['dev'], profile: ctx.globals.profile })),
    );

  const many = (v: string, all: string[]) => [...all, v];
  program
    .command('audit')
    .description(MESSAGES.commands.audit)
    .command('search')
    .description(MESSAGES.commands.auditSearch)
    .option('--since <duration>', 'window ending now: 30m, 24h, 7d (default 24h)')
    .option('--from <time>', 'window start, ISO 8601')
    .option('--to <time>', 'window end, ISO 8601 (default now)')
    .option('--account <name>', 'account name or ID (repeatable)', many, [] as string[])
    .option('--user <name>', 'user name, role session or ARN fragment (repeatable)', many, [] as string[])
    .option('--event <name>', 'event name, e.g. DeleteBucket (repeatable)', many, [] as string[])
    .option('--service <name>', 'service, e.g. s3 or s3.amazonaws.com (repeatable)', many, [] as string[])
    .option('--source-ip <ip>', 'source IP address')
    .option('--errors', 'only calls that failed', false)
    .option('--text <text>', 'text anywhere in the event')
    .option('--limit <n>', 'events per page, 1-1000 (default 50)')
    .option('--cursor <cursor>', 'the cursor a previous page printed')
    .option('--follow', 'keep polling for new events', false)
    .action(run((ctx, o: AuditSearchOptions) => auditSearchCommand(ctx, o)));

  program
    .command('bills')
    .description(MESSAGES.commands.bills)
    .requiredOption('--month <YYYY-MM>', 'the month')
    .option('--env <name>', 'one environment (default: every environment)')
    .addOption(new Option('--format <format>', 'statement format').choices(Object.keys(STATEMENT_FORMATS)).default('html'))
    .option('--out <dir>', MESSAGES.options.out, 'statements')
    .option('--refresh', 'ask Cost Explorer again instead of using cached answers (AWS only)')
    .action(run((ctx, o: BillsOptions) => billsCommand(ctx, o)));

  program
    .command('costs')
    .description(MESSAGES.commands.costs)
    .option('--env <name>', 'one environment (default: every environment)')
    .addOption(new Option('--by <dimension>', 'drill one month down by service, usage type or day').choices(['service', 'usage-type', 'day']))
    .option('--month <YYYY-MM>', 'the month to drill down (with --by; default: the current month)')
    .option('--refresh', 'ask Cost Explorer again instead of using cached answers (AWS only; each request costs $0.01)')
    .action(run((ctx, o: CostsOptions) => costsCommand(ctx, o)));

  const auth = program.command('auth').description(MESSAGES.commands.auth);
  auth
    .command('import')
    .description(MESSAGES.commands.authImport)
    .argument('<file>', 'CSV file: email,given_name,family_name,phone_number (phone optional, E.164)')
    .requiredOption('--env <name>', 'the environment whose pool gets the users')
    .addOption(
      new Option('--method <method>', 'admin: AdminCreateUser, rate-limited (default in the sandbox); job: Cognito user import jobs').choices(['admin', 'job']),
    )
    .option('--dry-run', 'validate and report what would change, without writing', false)
    .option('--suppress-invites', 'create the users without e-mailing their invitations', false)
    .option('--rate <perSecond>', 'AdminCreateUser calls per second (default 40, under the 50/s account quota)', Number)
    .option('--import-role <name>', 'the role the import job logs with (job method; default groundwork-auth-import, from the auth template)')
    .action(run((ctx, file: string, o: AuthImportOptions) => authImportCommand(ctx, file, o)));

  auth
    .command('code')
    .description(MESSAGES.commands.authCode)
    .requiredOption('--env <name>', 'the environment of the user’s pool')
    .requiredOption('--user <email>', 'the user’s e-mail address')
    .action(run((ctx, o: { env: string; user: string }) => authCodeCommand(ctx, o)));

  const emulator = program.command('emulator').description(MESSAGES.commands.emulator);
  emulator
    .command('start')
    .description(MESSAGES.commands.emulatorStart)
    .option('--port <port>', `${MESSAGES.options.port} (a free one is picked if it is taken)`, parsePort)
    .action(run((ctx, o: { port?: number }) => emulatorStartCommand(ctx, o)));
  emulator.command('install').description(MESSAGES.commands.emulatorInstall).action(run(emulatorInstallCommand));
  emulator.command('stop').description(MESSAGES.commands.emulatorStop).action(run(emulatorStopCommand));
  emulator.command('status').description(MESSAGES.commands.emulatorStatus).action(run(emulatorStatusCommand));
  return program;
}
