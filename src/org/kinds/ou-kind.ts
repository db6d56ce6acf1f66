import {
  CreateOrganizationalUnitCommand,
  DeleteOrganizationalUnitCommand,
  ListTagsForResourceCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  UpdateOrganizationalUnitCommand,
} from '@aws-sdk/client-organizations';
import { isError } from '../../aws/aws-error.js';
import { isManaged, MANAGED_TAG } from '../../aws/tags.js';
import { mapLimit } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';

/** An OU as the config wants it. */
export interface DesiredOu {
  readonly name: string;
  /** Parent OU name; undefined is the root. */
  readonly parent?: string;
}

/** An OU as it exists. */
export interface LiveOu {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
  /** Parent OU name, or undefined for the root. */
  readonly parentName?: string;
  readonly managed: boolean;
  readonly childCount: number;
}

/** Every OU under the root, breadth first, with tags and how many children each has. */
export async function readOrganizationalUnits(ctx: OrgContext): Promise<LiveOu[]> {
  const { orgs, registry } = ctx;
  if (!registry.rootId) return [];
  const found: Omit<LiveOu, 'managed' | 'childCount'>[] = [];
  let level: { id: string; name?: string }[] = [{ id: registry.rootId }];
  while (level.length > 0) {
    const children = await mapLimit(level, ctx.readConcurrency, async (parent) => {
      const out: Omit<LiveOu, 'managed' | 'childCount'>[] = [];
      for await (const page of paginateListOrganizationalUnitsForParent({ client: orgs }, { ParentId: parent.id })) {
        for (const ou of page.OrganizationalUnits ?? []) out.push({ id: ou.Id ?? '', name: ou.Name ?? '', parentId: parent.id, parentName: parent.name });
      }
      return out;
    });
    const next = children.flat();
    found.push(...next);
    level = next.map((ou) => ({ id: ou.id, name: ou.name }));
  }
  const detailed = await mapLimit(found, ctx.readConcurrency, async (ou) => {
    const tags = await orgs.send(new ListTagsForResourceCommand({ ResourceId: ou.id }));
    let childCount = found.filter((o) => o.parentId === ou.id).length;
    for await (const page of paginateListAccountsForParent({ client: orgs }, { ParentId: ou.id })) childCount += page.Accounts?.length ?? 0;
    return { ...ou, managed: isManaged(tags.Tags), childCount };
  });
  for (const ou of detailed) {
    registry.ouNameById.set(ou.id, ou.name);
    if (!registry.ouIds.has(ou.name)) registry.ouIds.set(ou.name, ou.id);
  }
  return detailed;
}

/** Organizational units: created (nested ones after their parent), renamed, and deleted only when managed and empty. */
export function ouKind(ctx: OrgContext): ResourceKind<DesiredOu, LiveOu> {
  const { orgs, orgsOnce, registry, config } = ctx;
  const desiredNames = new Set(config.organization.organizationalUnits.map((ou) => ou.name));
  let live: readonly LiveOu[] = [];
  const group = (parent?: string) => parent ?? 'Root';

  const findUnder = async (parentId: string, name: string) => {
    for await (const page of paginateListOrganizationalUnitsForParent({ client: orgs }, { ParentId: parentId })) {
      const hit = page.OrganizationalUnits?.find((ou) => ou.Name === name);
      if (hit?.Id) return hit.Id;
    }
    return undefined;
  };

  return {
    kind: 'ou',
    dependsOn: ['organization'],
    identity: (item) => item.name,
    desired: () => config.organization.organizationalUnits.map((ou) => ({ name: ou.name, parent: ou.parent })),
    async read() {
      live = await readOrganizationalUnits(ctx);
      return live;
    },
    match(desired, actual) {
      const byName = actual.find((ou) => ou.name === desired.name);
      if (byName) return byName;
      // A rename: exactly one managed OU under the same parent has left the config, and this is the only new name there.
      const orphans = actual.filter((ou) => ou.managed && !desiredNames.has(ou.name) && ou.parentName === desired.parent);
      const newcomers = config.organization.organizationalUnits.filter((ou) => ou.parent === desired.parent && !actual.some((a) => a.name === ou.name));
      return orphans.length === 1 && newcomers.length === 1 ? orphans[0] : undefined;
    },
    requires: (item) => ['organization:*', ...('parentId' in item ? [] : item.parent ? [`ou:${item.parent}`] : [])],
    diff(desired, actual) {
      if (!actual) {
        return [
          {
            action: 'create',
            details: { parent: desired.parent ?? 'Root' },
            group: group(desired.parent),
            run: async (progress) => {
              const parentId = registry.parent(desired.parent);
              const existing = await findUnder(parentId, desired.name);
              if (existing) {
                registry.ouIds.set(desired.name, existing);
                return;
              }
              await retrying(
                'CreateOrganizationalUnit',
                progress,
                async () => {
                  const { OrganizationalUnit } = await orgsOnce.send(
                    new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: desired.name, Tags: [MANAGED_TAG] }),
                  );
                  if (OrganizationalUnit?.Id) registry.ouIds.set(desired.name, OrganizationalUnit.Id);
                },
                {
                  recover: async () => {
                    const id = await findUnder(parentId, desired.name);
                    if (id) registry.ouIds.set(desired.name, id);
                    return id !== undefined;
                  },
                },
              );
            },
          },
        ];
      }
      const outcomes = [];
      if (actual.parentName !== desired.parent) {
        outcomes.push({
          name: desired.name,
          message: `OU "${desired.name}" is under ${actual.parentName ?? 'Root'} but the config puts it under ${desired.parent ?? 'Root'}; AWS cannot move an OU. Create a new OU, move its accounts, then delete the old one`,
          group: group(desired.parent),
        });
      }
      if (actual.name !== desired.name) {
        registry.ouIds.set(desired.name, actual.id);
        outcomes.push({
          action: 'update' as const,
          details: { rename: { from: actual.name, to: desired.name }, id: actual.id },
          group: group(desired.parent),
          run: async (progress: (m: string) => void) => {
            await retrying('UpdateOrganizationalUnit', progress, () =>
              orgsOnce.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: actual.id, Name: desired.name })),
            );
          },
        });
      }
      return outcomes;
    },
    orphan(actual) {
      if (!actual.managed)
        return { name: actual.name, message: `OU "${actual.name}" is not in the config; left alone (unmanaged)`, group: group(actual.parentName) };
      if (actual.childCount > 0) {
        return {
          name: actual.name,
          message: `! OU "${actual.name}" was created by Groundwork and has left the config, but it still holds ${actual.childCount} account(s) or OU(s); move them, then apply again to delete it`,
          group: group(actual.parentName),
        };
      }
      return {
        action: 'delete',
        details: { id: actual.id, reason: 'managed by Groundwork, empty, and no longer in the config' },
        group: group(actual.parentName),
        run: async (progress) => {
          await retrying('DeleteOrganizationalUnit', progress, async () => {
            try {
              await orgsOnce.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: actual.id }));
            } catch (error) {
              if (!isError(error, 'OrganizationalUnitNotFoundException')) throw error;
            }
          });
        },
      };
    },
  };
}
