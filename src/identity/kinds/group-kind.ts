import { CreateGroupCommand, GetGroupIdCommand, paginateListGroups, UpdateGroupCommand } from '@aws-sdk/client-identitystore';
import { isError, isUnsupportedByEmulator } from '../../aws/aws-error.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import { findInstance, type IdentityContext } from '../identity-context.js';

/** An Identity Center group. */
export interface GroupState {
  readonly name: string;
  readonly description: string;
  readonly id?: string;
}

/** Every group in the identity store; fills the registry. */
export async function readGroups(ctx: IdentityContext): Promise<GroupState[]> {
  const instance = await findInstance(ctx);
  if (!instance) return [];
  const groups: GroupState[] = [];
  for await (const page of paginateListGroups({ client: ctx.identityStore }, { IdentityStoreId: instance.identityStoreId })) {
    for (const g of page.Groups ?? []) {
      if (!g.DisplayName || !g.GroupId) continue;
      groups.push({ name: g.DisplayName, description: g.Description ?? '', id: g.GroupId });
      ctx.registry.groupIds.set(g.DisplayName, g.GroupId);
    }
  }
  return groups;
}

/** Looks a group up by display name. */
export async function groupIdByName(ctx: IdentityContext, name: string): Promise<string | undefined> {
  const { identityStoreId } = ctx.registry.requireInstance();
  try {
    const { GroupId } = await ctx.identityStore.send(
      new GetGroupIdCommand({
        IdentityStoreId: identityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
      }),
    );
    return GroupId;
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Identity Center groups: created, description kept in line; groups outside the config (SCIM, console) are left alone. */
export function groupKind(ctx: IdentityContext): ResourceKind<GroupState, GroupState> {
  const { registry } = ctx;
  return {
    kind: 'group',
    dependsOn: ['organization', 'trusted-access'],
    identity: (item) => item.name,
    desired: () => (registry.instance ? ctx.config.identityCenter.groups.map((g) => ({ name: g.name, description: g.description ?? '' })) : []),
    read: () => readGroups(ctx),
    diff(desired, actual) {
      if (!actual) {
        return [
          {
            action: 'create',
            details: { description: desired.description },
            group: 'Identity Center',
            run: async (progress) => {
              const { identityStoreId } = registry.requireInstance();
              await retrying(
                'CreateGroup',
                progress,
                async () => {
                  try {
                    const { GroupId } = await ctx.identityStoreOnce.send(
                      new CreateGroupCommand({ IdentityStoreId: identityStoreId, DisplayName: desired.name, Description: desired.description || undefined }),
                    );
                    if (GroupId) registry.groupIds.set(desired.name, GroupId);
                  } catch (error) {
                    if (!isError(error, 'ConflictException')) throw error;
                    const id = await groupIdByName(ctx, desired.name);
                    if (id) registry.groupIds.set(desired.name, id);
                  }
                },
                {
                  recover: async () => {
                    const id = await groupIdByName(ctx, desired.name);
                    if (id) registry.groupIds.set(desired.name, id);
                    return id !== undefined;
                  },
                },
              );
            },
          },
        ];
      }
      if (actual.description === desired.description) return [];
      return [
        {
          action: 'update',
          details: { description: { from: actual.description, to: desired.description } },
          group: 'Identity Center',
          run: async (progress) => {
            const { identityStoreId } = registry.requireInstance();
            const sandbox = ctx.clients.settings.target === 'sandbox';
            await retrying(
              'UpdateGroup',
              progress,
              async () => {
                try {
                  await ctx.identityStoreOnce.send(
                    new UpdateGroupCommand({
                      IdentityStoreId: identityStoreId,
                      GroupId: actual.id,
                      Operations: [{ AttributePath: 'description', AttributeValue: desired.description }],
                    }),
                  );
                } catch (error) {
                  if (ctx.clients.settings.target === 'sandbox' && isUnsupportedByEmulator(error)) {
                    throw new GroundworkError(
                      'APPLY_FAILED',
                      `changing the description of group "${desired.name}" needs identitystore:UpdateGroup, which the emulator (moto) does not implement`,
                      {
                        hint: 'on real AWS (--target aws) this works; in the sandbox, keep the old description',
                      },
                    );
                  }
                  throw error;
                }
              },
              { giveUpOn: (error) => sandbox && isUnsupportedByEmulator(error) },
            );
          },
        },
      ];
    },
    orphan: (actual) => ({ name: actual.name, message: `group "${actual.name}" is not in the config; left alone (unmanaged)`, group: 'Identity Center' }),
  };
}

/** The Identity Center instance: it cannot be created through the API for an organization, so its absence is a finding. */
export function identityCenterKind(ctx: IdentityContext): ResourceKind<{ name: string }, { name: string }> {
  return {
    kind: 'identity-center',
    dependsOn: ['trusted-access'],
    identity: (item) => item.name,
    desired: () => (ctx.config.identityCenter.permissionSets.length + ctx.config.identityCenter.groups.length > 0 ? [{ name: 'instance' }] : []),
    read: async () => ((await findInstance(ctx)) ? [{ name: 'instance' }] : []),
    diff: (_desired, actual) =>
      actual
        ? []
        : [
            {
              name: 'instance',
              message:
                'IAM Identity Center is not enabled for the organization, so permission sets, groups and assignments wait. Enable it in the console (docs/runbooks/identity-center.md), then apply again',
              group: 'Identity Center',
            },
          ],
    orphan: () => undefined,
  };
}
