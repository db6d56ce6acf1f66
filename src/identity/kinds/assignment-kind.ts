import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  paginateListAccountAssignments,
} from '@aws-sdk/client-sso-admin';
import { isError } from '../../aws/aws-error.js';
import { mapLimit, pollUntil } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../identity-context.js';

/** One principal with one permission set in one account. */
export interface AssignmentState {
  readonly principalType: 'GROUP' | 'USER';
  /** Group name, or user ID for direct user assignments. */
  readonly principal: string;
  readonly permissionSet: string;
  readonly account: string;
  readonly principalId?: string;
  readonly accountId?: string;
}

const identity = (a: AssignmentState) => `${a.principal} · ${a.permissionSet} · ${a.account}`;

/** Every account an assignment's targets cover now: `allAccounts`, OUs (expanded to their accounts at plan time) and accounts. */
export function expandTargets(
  ctx: IdentityContext,
  targets: { allAccounts: boolean; organizationalUnits: readonly string[]; accounts: readonly string[] },
): string[] {
  const { config, org } = ctx;
  const management = config.organization.managementAccount.name;
  const live = [...org.accountIds.keys()].filter((name) => org.accountIds.get(name) !== org.managementAccountId);
  const declared = config.organization.accounts.map((a) => a.name);
  const names = new Set<string>();
  if (targets.allAccounts) for (const name of [management, ...declared, ...live]) names.add(name);
  for (const ou of targets.organizationalUnits) {
    for (const a of config.organization.accounts) if (a.organizationalUnit === ou) names.add(a.name);
    for (const name of live) if (org.accountParents.get(name) === ou) names.add(name);
  }
  for (const name of targets.accounts) names.add(name);
  return [...names];
}

/** The desired group assignments, expanded to accounts. */
export function desiredAssignments(ctx: IdentityContext): AssignmentState[] {
  const seen = new Set<string>();
  const out: AssignmentState[] = [];
  for (const a of ctx.config.identityCenter.assignments) {
    for (const account of expandTargets(ctx, a)) {
      const item: AssignmentState = { principalType: 'GROUP', principal: a.group, permissionSet: a.permissionSet, account };
      if (seen.has(identity(item))) continue;
      seen.add(identity(item));
      out.push(item);
    }
  }
  return out;
}

/** Group → permission set → account assignments: created and removed per the config; direct user assignments are never touched. */
export function assignmentKind(ctx: IdentityContext): ResourceKind<AssignmentState, AssignmentState> {
  const { ssoAdmin, registry, org, config } = ctx;
  const managementName = config.organization.managementAccount.name;
  const accountIdOf = (name: string) => (name === managementName ? (org.managementAccountId as string) : org.account(name));
  const groupOfId = () => new Map([...registry.groupIds].map(([name, id]) => [id, name]));
  const declaredGroups = new Set(config.identityCenter.groups.map((g) => g.name));
  const declaredSets = new Set(config.identityCenter.permissionSets.map((p) => p.name));

  const waitFor = async (requestId: string | undefined, status: string | undefined, deleting: boolean, progress: (m: string) => void) => {
    if (!requestId || status !== 'IN_PROGRESS') {
      return;
    }
    const { instanceArn } = registry.requireInstance();
    await pollUntil(
      async () => {
        const s = deleting
          ? (
              await ssoAdmin.send(
                new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: requestId }),
              )
            ).AccountAssignmentDeletionStatus
          : (
              await ssoAdmin.send(
                new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: requestId }),
              )
            ).AccountAssignmentCreationStatus;
        if (s?.Status === 'FAILED')
          throw new GroundworkError('APPLY_FAILED', `assignment ${deleting ? 'deletion' : 'creation'} failed: ${s.FailureReason ?? 'unknown reason'}`);
        return s?.Status === 'SUCCEEDED' ? true : undefined;
      },
      {
        intervalMs: ctx.pollIntervalMs,
        timeoutMs: 15 * 60_000,
        what: 'the account assignment',
        onWait: (ms) => progress(`provisioning… ${Math.round(ms / 1000)} s`),
      },
    );
  };

  return {
    kind: 'assignment',
    dependsOn: ['permission-set', 'group', 'account'],
    identity,
    desired: () => (registry.instance ? desiredAssignments(ctx) : []),
    async read() {
      const instance = registry.instance;
      if (!instance) return [];
      const accounts = [...new Set([managementName, ...org.accountIds.keys()])]
        .map((name) => ({
          name: name === managementName || org.accountIds.get(name) === org.managementAccountId ? managementName : name,
          id: name === managementName ? org.managementAccountId : org.accountIds.get(name),
        }))
        .filter((a, i, all) => a.id && all.findIndex((b) => b.id === a.id) === i);
      const sets = [...registry.permissionSetArns].filter(([name]) => declaredSets.has(name));
      const cells = accounts.flatMap((account) => sets.map(([setName, arn]) => ({ account, setName, arn })));
      const groups = groupOfId();
      const found = await mapLimit(cells, ctx.readConcurrency, async ({ account, setName, arn }) => {
        const out: AssignmentState[] = [];
        for await (const page of paginateListAccountAssignments(
          { client: ssoAdmin },
          { InstanceArn: instance.instanceArn, AccountId: account.id as string, PermissionSetArn: arn },
        )) {
          for (const a of page.AccountAssignments ?? []) {
            const type = a.PrincipalType === 'USER' ? 'USER' : 'GROUP';
            out.push({
              principalType: type,
              principal: type === 'GROUP' ? (groups.get(a.PrincipalId ?? '') ?? `group ${a.PrincipalId}`) : `user ${a.PrincipalId}`,
              principalId: a.PrincipalId,
              permissionSet: setName,
              account: account.name,
              accountId: account.id,
            });
          }
        }
        return out;
      });
      return found.flat();
    },
    requires: (item) => [
      `permission-set:${item.permissionSet}`,
      `group:${item.principal}`,
      ...(item.account === managementName ? [] : [`account:${item.account}`]),
    ],
    diff(desired, actual) {
      if (actual) return [];
      return [
        {
          action: 'create',
          details: { group: desired.principal, permissionSet: desired.permissionSet, account: desired.account },
          group: 'Identity Center',
          run: async (progress) => {
            const { instanceArn } = registry.requireInstance();
            const exists = async () => {
              for await (const page of paginateListAccountAssignments(
                { client: ssoAdmin },
                { InstanceArn: instanceArn, AccountId: accountIdOf(desired.account), PermissionSetArn: registry.permissionSet(desired.permissionSet) },
              )) {
                if (page.AccountAssignments?.some((a) => a.PrincipalType === 'GROUP' && a.PrincipalId === registry.group(desired.principal))) return true;
              }
              return false;
            };
            const response = await retrying(
              'CreateAccountAssignment',
              progress,
              async () => {
                try {
                  return await ctx.ssoAdminOnce.send(
                    new CreateAccountAssignmentCommand({
                      InstanceArn: instanceArn,
                      TargetId: accountIdOf(desired.account),
                      TargetType: 'AWS_ACCOUNT',
                      PermissionSetArn: registry.permissionSet(desired.permissionSet),
                      PrincipalType: 'GROUP',
                      PrincipalId: registry.group(desired.principal),
                    }),
                  );
                } catch (error) {
                  if (isError(error, 'ConflictException')) return undefined;
                  throw error;
                }
              },
              { recover: exists },
            );
            await waitFor(response?.AccountAssignmentCreationStatus?.RequestId, response?.AccountAssignmentCreationStatus?.Status, false, progress);
          },
        },
      ];
    },
    orphan(actual) {
      if (actual.principalType === 'USER') {
        return {
          name: identity(actual),
          message: `direct assignment of ${actual.principal} to ${actual.permissionSet} in ${actual.account}; never reverted (unmanaged)`,
          group: 'Identity Center',
        };
      }
      if (!declaredGroups.has(actual.principal)) {
        return {
          name: identity(actual),
          message: `assignment of ${actual.principal}, a group not in the config; left alone (unmanaged)`,
          group: 'Identity Center',
        };
      }
      return {
        action: 'delete',
        details: { group: actual.principal, permissionSet: actual.permissionSet, account: actual.account },
        group: 'Identity Center',
        run: async (progress) => {
          const { instanceArn } = registry.requireInstance();
          const response = await retrying('DeleteAccountAssignment', progress, async () => {
            try {
              return await ctx.ssoAdminOnce.send(
                new DeleteAccountAssignmentCommand({
                  InstanceArn: instanceArn,
                  TargetId: actual.accountId as string,
                  TargetType: 'AWS_ACCOUNT',
                  PermissionSetArn: registry.permissionSet(actual.permissionSet),
                  PrincipalType: 'GROUP',
                  PrincipalId: actual.principalId as string,
                }),
              );
            } catch (error) {
              if (isError(error, 'ResourceNotFoundException')) return undefined;
              throw error;
            }
          });
          await waitFor(response?.AccountAssignmentDeletionStatus?.RequestId, response?.AccountAssignmentDeletionStatus?.Status, true, progress);
        },
      };
    },
  };
}
