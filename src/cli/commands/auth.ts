import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { issueAdminCode } from '../../auth/admin-code.js';
import { type AuthImportSummary, importAuthUsers } from '../../auth/import-auth-users.js';
import { importAuthUsersWithJob } from '../../auth/import-job.js';
import { formatMinutes } from '../../auth/limits.js';
import { authSettings } from '../../auth/pool-spec.js';
import { requirePool } from '../../auth/pools.js';
import { elapsedMs } from '../../clock.js';
import { GroundworkError } from '../../errors.js';
import { SANDBOX_AUTH_LIMITS } from '../../sandbox/auth-pools.js';
import { openAuthSession } from '../auth-session.js';
import { type CommandContext, resolveTarget } from '../context.js';

/** Options of `groundwork auth import`. */
export interface AuthImportOptions {
  readonly env: string;
  readonly method?: 'admin' | 'job';
  readonly dryRun?: boolean;
  readonly suppressInvites?: boolean;
  readonly rate?: number;
  /** Name of the auth template's import role (job method). @default groundwork-auth-import */
  readonly importRole?: string;
}

/**
 * `groundwork auth import FILE --env NAME [--method admin|job] [--dry-run] [--suppress-invites] [--rate N] [--json]`:
 * bulk creation of an environment's pool users, with the summary of `users import`.
 */
export async function authImportCommand(ctx: CommandContext, file: string, options: AuthImportOptions): Promise<void> {
  // The flags are checked before any AWS call.
  const sandbox = resolveTarget(ctx) === 'sandbox';
  const method = options.method ?? (sandbox ? 'admin' : 'job');
  if (method === 'job' && sandbox) {
    throw new GroundworkError('USAGE', 'the sandbox emulator (moto) has no Cognito user import jobs', {
      hint: 'use --method admin in the sandbox (its default); the job method runs against AWS (--target aws)',
    });
  }
  if (method === 'job' && (options.rate !== undefined || options.suppressInvites)) {
    throw new GroundworkError('USAGE', `${options.rate !== undefined ? '--rate' : '--suppress-invites'} applies to --method admin`, {
      hint: 'an import job sends no invitations and runs at Cognito’s pace: drop the flag, or use --method admin',
    });
  }
  if (options.rate !== undefined && (!Number.isFinite(options.rate) || options.rate <= 0 || options.rate > 50)) {
    throw new GroundworkError('USAGE', `--rate ${options.rate} is out of range`, {
      hint: 'use 1 to 50 calls per second (the account quota is 50, shared with sign-ups)',
    });
  }
  const auth = await openAuthSession(ctx, options.env);
  const userPoolId = await requirePool(auth.cognito, auth.environment, auth.sandbox);
  const started = elapsedMs();
  const summary: AuthImportSummary & { mustResetPassword?: number; jobId?: string } =
    method === 'job'
      ? await importAuthUsersWithJob(
          { cognito: auth.cognito, logs: auth.session.clients.create(CloudWatchLogsClient, { accountId: auth.accountId }) },
          userPoolId,
          file,
          {
            environment: auth.environment,
            roleArn: `arn:${auth.session.caller.arn.split(':')[1] || 'aws'}:iam::${auth.accountId}:role/${options.importRole ?? 'groundwork-auth-import'}`,
            dryRun: options.dryRun,
            progress: (m) => ctx.out.progress(m),
          },
        )
      : await importAuthUsers(auth.cognito, userPoolId, file, {
          environment: auth.environment,
          dryRun: options.dryRun,
          suppressInvites: options.suppressInvites,
          ratePerSecond: options.rate,
          onProgress: (done) => ctx.out.progress(`… ${done} valid row(s) processed`),
        });
  const seconds = (elapsedMs() - started) / 1000;
  ctx.out.result({ ...summary, userPoolId, seconds }, () => {
    const lines = [
      `${summary.dryRun ? 'Dry run (nothing written): would create' : 'Created'} ${summary.created}, ${summary.dryRun ? 'update' : 'updated'} ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected.length} in ${auth.environment}'s pool ${userPoolId} (${seconds.toFixed(1)} s, method ${summary.method})`,
    ];
    for (const r of summary.rejected) lines.push(`  line ${r.line}: ${r.errors.join('; ')}`);
    if (summary.rejectedFile) lines.push(`Rejected rows, with a reason column, are in ${summary.rejectedFile}: fix them and import that file.`);
    if (summary.mustResetPassword) {
      lines.push(
        `${summary.mustResetPassword} imported user(s) must reset their password at first sign-in (Cognito's RESET_REQUIRED state): tell them to use "Forgot password".`,
      );
    } else if (!summary.dryRun && summary.created > 0) {
      lines.push(
        summary.invitations === 'sent'
          ? `Cognito e-mails each new user an invitation with a temporary password, valid for ${authSettings(auth.session.config, auth.environment).invitationDays} days${auth.sandbox ? ' (the sandbox sends no e-mail)' : ''}.`
          : 'Invitations were suppressed: new users get their temporary password only when you resend it (AdminCreateUser with MessageAction RESEND).',
      );
    }
    return lines.join('\n');
  });
}

/** `groundwork auth code --env NAME --user EMAIL [--json]`: a one-time sign-in code, issued by an administrator. */
export async function authCodeCommand(ctx: CommandContext, options: { env: string; user: string }): Promise<void> {
  const auth = await openAuthSession(ctx, options.env);
  const settings = authSettings(auth.session.config, auth.environment);
  const clients = auth.session.clients;
  const issuer = {
    cognito: auth.cognito,
    userPoolId: await requirePool(auth.cognito, auth.environment, auth.sandbox),
    ddb: clients.create(DynamoDBClient, { accountId: auth.accountId }),
    kms: clients.create(KMSClient, { accountId: auth.accountId }),
  };
  const issued = await issueAdminCode(issuer, settings, options.user, ctx.now);
  ctx.out.result(issued, () =>
    [
      `One-time sign-in code for ${issued.user} in ${issued.environment}: ${issued.code}`,
      `It works once, until ${issued.expiresAt} (${formatMinutes(settings.signInCodeMinutes)}). Hand it over by a channel you trust.`,
      ...(auth.sandbox ? [`note: ${SANDBOX_AUTH_LIMITS}`] : []),
    ].join('\n'),
  );
}
