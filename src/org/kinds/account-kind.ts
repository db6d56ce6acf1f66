import { AccountClient, PutAccountNameCommand } from '@aws-sdk/client-account';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListCreateAccountStatus,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { isError, isUnsupportedByEmulator } from '../../aws/aws-error.js';
import { isManaged, MANAGED_TAG, ORIGIN_ADOPTED, ORIGIN_CREATED, originOf } from '../../aws/tags.js';
import type { ResolvedAccount } from '../../config/resolved-config.js';
import { mapLimit, pollUntil } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import type { OrgContext } from '../org-context.js';
import { readOrganizationBasics } from '../read-organization.js';

/** An account as it exists (or is being created). */
export interface LiveAccount {
  readonly id?: string;
  readonly name: string;
  readonly email: string;
  readonly status: string;
  readonly parentId?: string;
  /** OU name, or 'Root'. */
  readonly parentName?: string;
  readonly managed: boolean;
  /** How Groundwork came to manage it (tag groundwork:origin); undefined when unknown (unmanaged, or managed before the tag existed). */
  readonly origin?: 'created' | 'adopted';
  /** A CreateAccount request still in progress (after an interrupted apply). */
  readonly pendingRequestId?: string;
}

/** How long account creation may take before apply gives up on waiting (AWS usually needs 1-5 minutes). */
const CREATE_TIMEOUT_MS = 30 * 60_000;

/** Every account under the root and each OU, plus creations still in progress. */
export async function readAccounts(ctx: OrgContext): Promise<LiveAccount[]> {
  const { orgs, registry } = ctx;
  if (!registry.rootId) return [];
  const parents = [{ id: registry.rootId, name: 'Root' }, ...[...registry.ouNameById].map(([id, name]) => ({ id, name }))];
  const perParent = await mapLimit(parents, ctx.readConcurrency, async (parent) => {
    const found: Omit<LiveAccount, 'managed'>[] = [];
    for await (const page of paginateListAccountsForParent({ client: orgs }, { ParentId: parent.id })) {
      for (const a of page.Accounts ?? []) {
        found.push({ id: a.Id, name: a.Name ?? '', email: a.Email ?? '', status: a.Status ?? '', parentId: parent.id, parentName: parent.name });
      }
    }
    return found;
  });
  const accounts = await mapLimit(perParent.flat(), ctx.readConcurrency, async (account) => {
    if (account.id) registry.accountIds.set(account.name, account.id);
    if (account.parentName) registry.accountParents.set(account.name, account.parentName);
    // The managed tag decides adoption (declared but untagged) and what an undeclared account is (left the config, or unmanaged).
    const tags =
      account.id && account.id !== registry.managementAccountId ? await orgs.send(new ListTagsForResourceCommand({ ResourceId: account.id })) : undefined;
    return { ...account, managed: isManaged(tags?.Tags), origin: originOf(tags?.Tags) };
  });
  for await (const page of paginateListCreateAccountStatus({ client: orgs }, { States: ['IN_PROGRESS'] })) {
    for (const status of page.CreateAccountStatuses ?? []) {
      if (status.AccountName && !accounts.some((a) => a.name === status.AccountName)) {
        accounts.push({ name: status.AccountName, email: '', status: 'CREATING', managed: true, origin: 'created', pendingRequestId: status.Id });
      }
    }
  }
  return accounts;
}

/** Waits for a CreateAccount request; returns the new account ID. */
async function waitForAccount(ctx: OrgContext, requestId: string, name: string, progress: (m: string) => void): Promise<string> {
  return pollUntil(
    async () => {
      const { CreateAccountStatus: status } = await ctx.orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }));
      if (status?.State === 'SUCCEEDED' && status.AccountId) return status.AccountId;
      if (status?.State === 'FAILED') {
        const reason = status.FailureReason ?? 'UNKNOWN';
        throw new GroundworkError('APPLY_FAILED', `creating account "${name}" failed: ${reason}`, {
          hint:
            reason === 'EMAIL_ALREADY_EXISTS'
              ? 'that e-mail belongs to another AWS account; set a different `email` for this account'
              : reason === 'ACCOUNT_LIMIT_EXCEEDED'
                ? 'raise the organization account quota in Service Quotas, then apply again'
                : 'see the AWS Organizations console for the request, then apply again',
        });
      }
      return undefined;
    },
    {
      intervalMs: ctx.pollIntervalMs,
      timeoutMs: CREATE_TIMEOUT_MS,
      what: `account "${name}"`,
      onWait: (ms) => progress(`creating… ${Math.round(ms / 1000)} s`),
    },
  );
}

/** Finds a creation request for this name, in any state but FAILED (used after an ambiguous failure). */
async function findCreateRequest(ctx: OrgContext, name: string): Promise<string | undefined> {
  for await (const page of paginateListCreateAccountStatus({ client: ctx.orgs }, { States: ['IN_PROGRESS', 'SUCCEEDED'] })) {
    const hit = page.CreateAccountStatuses?.find((s) => s.AccountName === name);
    if (hit?.Id) return hit.Id;
  }
  return undefined;
}

/** Accounts: created from the e-mail template (or adopted by name or e-mail), moved to their OU, renamed, tagged; never closed by apply. */
export function accountKind(ctx: OrgContext): ResourceKind<ResolvedAccount, LiveAccount> {
  const { orgs, orgsOnce, registry, config, clients } = ctx;
  let live: readonly LiveAccount[] = [];
  /** Names the config claims: current names and the names accounts are renamed from. */
  const claimed = () => new Set(config.organization.accounts.flatMap((a) => [a.name, ...(a.renamedFrom ? [a.renamedFrom] : [])]));
  /** Managed accounts that have left the config from this OU: each might be the declared account under a new name. */
  const leftFromOu = (ou: string) =>
    live.filter((a) => a.managed && a.id && !a.pendingRequestId && a.status === 'ACTIVE' && a.parentName === ou && !claimed().has(a.name));

  const move = async (accountId: string, from: string, toOu: string, progress: (m: string) => void) => {
    const destination = registry.parent(toOu);
    await retrying('MoveAccount', progress, async () => {
      try {
        await orgsOnce.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: from, DestinationParentId: destination }));
      } catch (error) {
        if (!isError(error, 'DuplicateAccountException', 'SourceParentNotFoundException', 'AccountNotFoundException')) throw error;
        const { Parents } = await orgs.send(new ListParentsCommand({ ChildId: accountId }));
        if (Parents?.[0]?.Id !== destination) throw error;
      }
    });
  };

  return {
    kind: 'account',
    dependsOn: ['organization', 'ou'],
    identity: (item) => item.name,
    desired: () => config.organization.accounts,
    async read() {
      const accounts = await readAccounts(ctx);
      live = accounts;
      // A declared account found under its old name or by e-mail (renamed in the config) is known by its new name from
      // now on, so that kinds read alongside it (the baseline) look in the right account.
      for (const declared of config.organization.accounts) {
        if (accounts.some((a) => a.name === declared.name)) continue;
        const previous = matchRenamed(declared, accounts);
        if (previous?.id) registry.accountIds.set(declared.name, previous.id);
      }
      return accounts;
    },
    match: (desired, actual) => actual.find((a) => a.name === desired.name) ?? matchRenamed(desired, actual),
    requires: (item) => ['organization:*', ...('organizationalUnit' in item ? [`ou:${item.organizationalUnit}`] : [])],
    diff(desired, actual) {
      const group = desired.organizationalUnit;
      if (!actual || actual.pendingRequestId) {
        const resume = actual?.pendingRequestId;
        const suspects = resume || desired.createNew ? [] : leftFromOu(group);
        if (suspects.length > 0) {
          // With the templated e-mail a rename matches nothing: creating would leave the old account behind, closable.
          const names = suspects.map((a) => `"${a.name}" (${a.id})`).join(', ');
          const refusal = `account "${desired.name}" is new in OU ${group}, while managed account ${names} has left the config from that OU; apply will not create it until you say which it is: for a rename add \`renamedFrom: ${suspects[0]?.name}\` to "${desired.name}", for another account add \`createNew: true\``;
          return [
            {
              action: 'create',
              details: { email: desired.email, organizationalUnit: group, refused: `possible rename of ${suspects.map((a) => a.name).join(', ')}` },
              group,
              attention: refusal,
              run: async () => {
                throw new GroundworkError('ACCOUNT_AMBIGUOUS', refusal, {
                  hint: `add \`renamedFrom: ${suspects[0]?.name}\` or \`createNew: true\` to "${desired.name}" in the config, then apply again`,
                });
              },
            },
          ];
        }
        return [
          {
            action: 'create',
            details: resume ? { email: desired.email, organizationalUnit: group, resumeRequest: resume } : { email: desired.email, organizationalUnit: group },
            group,
            run: async (progress) => {
              let requestId = resume;
              if (!requestId) {
                await retrying(
                  'CreateAccount',
                  progress,
                  async () => {
                    const { CreateAccountStatus } = await orgsOnce.send(
                      new CreateAccountCommand({
                        AccountName: desired.name,
                        Email: desired.email,
                        Tags: [MANAGED_TAG, ORIGIN_CREATED],
                        IamUserAccessToBilling: 'ALLOW',
                      }),
                    );
                    requestId = CreateAccountStatus?.Id;
                  },
                  {
                    recover: async () => {
                      requestId = await findCreateRequest(ctx, desired.name);
                      return requestId !== undefined;
                    },
                  },
                );
              }
              if (!requestId) throw new GroundworkError('APPLY_FAILED', `CreateAccount for "${desired.name}" returned no request ID`, { hint: 're-run apply' });
              const accountId = await waitForAccount(ctx, requestId, desired.name, progress);
              registry.accountIds.set(desired.name, accountId);
              await move(accountId, registry.root(), desired.organizationalUnit, progress);
            },
          },
        ];
      }
      if (!actual.id) return [];
      const accountId = actual.id;
      const outcomes = [];
      if (actual.status === 'SUSPENDED' || actual.status === 'PENDING_CLOSURE') {
        outcomes.push({ name: desired.name, message: `account "${desired.name}" (${accountId}) is ${actual.status}; it was closed outside the config`, group });
      }
      if (actual.name !== desired.name) {
        registry.accountIds.set(desired.name, accountId);
        outcomes.push({
          action: 'update' as const,
          details: { rename: { from: actual.name, to: desired.name }, id: accountId },
          group,
          run: async (progress: (m: string) => void) => {
            const account = clients.create(AccountClient, { region: 'us-east-1', maxAttempts: 1 });
            const sandbox = clients.settings.target === 'sandbox';
            await retrying(
              'PutAccountName',
              progress,
              async () => {
                try {
                  await account.send(new PutAccountNameCommand({ AccountId: accountId, AccountName: desired.name }));
                } catch (error) {
                  if (clients.settings.target === 'sandbox' && isUnsupportedByEmulator(error)) {
                    throw new GroundworkError(
                      'APPLY_FAILED',
                      `renaming account "${actual.name}" to "${desired.name}" needs account:PutAccountName, which the emulator (moto) does not implement`,
                      {
                        hint: 'on real AWS (--target aws) this works; in the sandbox, keep the old name or start the sandbox afresh',
                      },
                    );
                  }
                  throw error;
                }
              },
              { giveUpOn: (error) => sandbox && isUnsupportedByEmulator(error) },
            );
          },
        });
      }
      if (!actual.managed) {
        outcomes.push({
          action: 'update' as const,
          name: `${desired.name} (adopt)`,
          details: { adopt: true, tag: `${MANAGED_TAG.Key}=${MANAGED_TAG.Value}, ${ORIGIN_ADOPTED.Key}=${ORIGIN_ADOPTED.Value}`, id: accountId },
          group,
          run: async (progress: (m: string) => void) => {
            await retrying('TagResource', progress, () =>
              orgsOnce.send(new TagResourceCommand({ ResourceId: accountId, Tags: [MANAGED_TAG, ORIGIN_ADOPTED] })),
            );
          },
        });
      }
      // Compare by ID: a renamed OU keeps its ID, so its accounts need no move.
      if (registry.ouIds.get(desired.organizationalUnit) !== actual.parentId) {
        const from = actual.parentId as string;
        outcomes.push({
          action: 'move' as const,
          details: { from: actual.parentName, to: desired.organizationalUnit, id: accountId },
          group,
          run: (progress: (m: string) => void) => move(accountId, from, desired.organizationalUnit, progress),
        });
      }
      return outcomes;
    },
    orphan(actual) {
      if (actual.id === registry.managementAccountId || actual.status === 'SUSPENDED') return undefined;
      const group = actual.parentName ?? 'Root';
      if (actual.managed && actual.origin === 'created') {
        return {
          name: actual.name,
          message: `! account "${actual.name}" (${actual.id}) has left the config; it stays open. Closing it needs \`apply --allow-close\``,
          group,
        };
      }
      if (actual.managed) {
        const why =
          actual.origin === 'adopted'
            ? 'it was adopted, not created, by Groundwork'
            : 'Groundwork has no record of creating it (no groundwork:origin=created tag)';
        return {
          name: actual.name,
          message: `! account "${actual.name}" (${actual.id}) has left the config; it stays open, and Groundwork will never close it: ${why}`,
          group,
        };
      }
      return { name: actual.name, message: `account "${actual.name}" (${actual.id}) is not in the config; left alone (unmanaged)`, group };
    },
  };
}

/** The live account a declared one was before a rename: by its `renamedFrom` name, else by e-mail. */
function matchRenamed(desired: ResolvedAccount, actual: readonly LiveAccount[]): LiveAccount | undefined {
  return (
    (desired.renamedFrom ? actual.find((a) => a.name === desired.renamedFrom) : undefined) ??
    actual.find((a) => a.email !== '' && a.email.toLowerCase() === desired.email.toLowerCase())
  );
}

/** The most accounts AWS lets an organization close in a rolling 30 days: 10% of active members, at least 10, at most 1,000. */
export function closeQuota(activeMemberAccounts: number): number {
  return Math.min(1000, Math.max(10, Math.floor(activeMemberAccounts * 0.1)));
}

/** Lists managed accounts that have left the config: the only accounts `apply --allow-close` may close. */
export async function closableAccounts(ctx: OrgContext): Promise<{ name: string; id: string }[]> {
  const declared = new Set(ctx.config.organization.accounts.flatMap((a) => [a.name, ...(a.renamedFrom ? [a.renamedFrom] : [])]));
  if (!(await readOrganizationBasics(ctx))) return [];
  const accounts = await readAccounts(ctx);
  return accounts
    .filter((a) => a.managed && a.origin === 'created' && a.id && a.id !== ctx.registry.managementAccountId && a.status === 'ACTIVE' && !declared.has(a.name))
    .map((a) => ({ name: a.name, id: a.id as string }));
}

/** Closes accounts by name, after checking each is closable and the batch fits the AWS quota. */
export async function closeAccounts(ctx: OrgContext, names: readonly string[], progress: (m: string) => void): Promise<void> {
  const closable = await closableAccounts(ctx);
  const unknown = names.filter((n) => !closable.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new GroundworkError(
      'CLOSE_REFUSED',
      `cannot close ${unknown.map((n) => `"${n}"`).join(', ')}: only accounts that Groundwork created (tag groundwork:origin=created) and that have left the config can be closed; adopted accounts never are`,
      {
        hint: `closable now: ${closable.map((c) => c.name).join(', ') || 'none'}`,
      },
    );
  }
  let active = 0;
  for await (const page of paginateListAccounts({ client: ctx.orgs }, {})) active += (page.Accounts ?? []).filter((a) => a.Status === 'ACTIVE').length;
  const quota = closeQuota(active - 1);
  if (names.length > quota) {
    throw new GroundworkError(
      'CLOSE_REFUSED',
      `closing ${names.length} accounts exceeds the AWS quota of ${quota} in a rolling 30 days (10% of ${active - 1} member accounts, at least 10)`,
      {
        hint: 'close fewer accounts now and the rest after 30 days',
      },
    );
  }
  for (const name of names) {
    const id = closable.find((c) => c.name === name)?.id as string;
    progress(`closing ${name} (${id})`);
    await retrying('CloseAccount', progress, () => ctx.orgsOnce.send(new CloseAccountCommand({ AccountId: id })));
  }
}
