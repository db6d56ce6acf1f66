import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListTagsForResourceCommand,
  paginateListPolicies,
  paginateListTargetsForPolicy,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { isError } from '../../aws/aws-error.js';
import { isManaged, MANAGED_TAG } from '../../aws/tags.js';
import { mapLimit } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';
import { type ManagedPolicy, type PolicyFamily, scpFamily, withOrganizationId } from './policy-family.js';

/** An SCP or RCP as it exists, with where it is attached. */
export interface LivePolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly content: string;
  readonly awsManaged: boolean;
  readonly managed: boolean;
  readonly targetIds: readonly string[];
}

/** Every policy of the family (SCPs by default) with its content, tags and targets; fills the family's attachments per target. */
export async function readPolicies(ctx: OrgContext, family: PolicyFamily = scpFamily(ctx)): Promise<LivePolicy[]> {
  const { orgs, registry } = ctx;
  if (!registry.rootId) return [];
  const summaries = [];
  for await (const page of paginateListPolicies({ client: orgs }, { Filter: family.type })) summaries.push(...(page.Policies ?? []));
  const policies = await mapLimit(summaries, ctx.readConcurrency, async (summary) => {
    const id = summary.Id ?? '';
    const targetIds: string[] = [];
    for await (const page of paginateListTargetsForPolicy({ client: orgs }, { PolicyId: id })) {
      for (const t of page.Targets ?? []) if (t.TargetId) targetIds.push(t.TargetId);
    }
    if (summary.AwsManaged) return { id, name: summary.Name ?? '', description: '', content: '', awsManaged: true, managed: false, targetIds };
    const [{ Policy }, { Tags }] = await Promise.all([
      orgs.send(new DescribePolicyCommand({ PolicyId: id })),
      orgs.send(new ListTagsForResourceCommand({ ResourceId: id })),
    ]);
    return {
      id,
      name: summary.Name ?? '',
      description: summary.Description ?? '',
      content: Policy?.Content ?? '',
      awsManaged: false,
      managed: isManaged(Tags),
      targetIds,
    };
  });
  for (const policy of policies) {
    family.ids.set(policy.name, policy.id);
    for (const target of policy.targetIds) {
      const names = family.attachmentsByTarget.get(target) ?? new Set<string>();
      names.add(policy.name);
      family.attachmentsByTarget.set(target, names);
    }
  }
  return policies;
}

function sameDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/**
 * Service control policies (or, with the RCP family, resource control policies): created, updated when the document or
 * description changes, deleted (detached first) when a managed one leaves the config.
 */
export function scpKind(
  ctx: OrgContext,
  onRead: (policies: readonly LivePolicy[]) => void = () => {},
  family: PolicyFamily = scpFamily(ctx),
): ResourceKind<ManagedPolicy, LivePolicy> {
  const { orgs, orgsOnce, registry } = ctx;
  const findByName = async (name: string) => {
    for await (const page of paginateListPolicies({ client: orgs }, { Filter: family.type })) {
      const hit = page.Policies?.find((p) => p.Name === name);
      if (hit?.Id) return hit.Id;
    }
    return undefined;
  };
  return {
    kind: family.kind,
    dependsOn: ['policy-type'],
    identity: (item) => item.name,
    desired: () => family.policies().filter((p) => p.enabled),
    async read() {
      const policies = await readPolicies(ctx, family);
      onRead(policies);
      return policies.filter((p) => !p.awsManaged);
    },
    diff(desired, actual) {
      if (!actual) {
        return [
          {
            action: 'create',
            details: { characters: desired.content.length, description: desired.description },
            group: 'Root',
            run: async (progress) => {
              await retrying(
                'CreatePolicy',
                progress,
                async () => {
                  try {
                    const { Policy } = await orgsOnce.send(
                      new CreatePolicyCommand({
                        Name: desired.name,
                        Description: desired.description,
                        // An RCP names the organization, which may only exist since this apply began.
                        Content: withOrganizationId(desired.content, registry.organizationId),
                        Type: family.type,
                        Tags: [MANAGED_TAG],
                      }),
                    );
                    if (Policy?.PolicySummary?.Id) family.ids.set(desired.name, Policy.PolicySummary.Id);
                  } catch (error) {
                    if (!isError(error, 'DuplicatePolicyException')) throw error;
                    const id = await findByName(desired.name);
                    if (id) family.ids.set(desired.name, id);
                  }
                },
                {
                  recover: async () => {
                    const id = await findByName(desired.name);
                    if (id) family.ids.set(desired.name, id);
                    return id !== undefined;
                  },
                },
              );
            },
          },
        ];
      }
      const changed: Record<string, unknown> = {};
      if (!sameDocument(actual.content, desired.content)) changed.content = { fromCharacters: actual.content.length, toCharacters: desired.content.length };
      if (actual.description !== desired.description) changed.description = { from: actual.description, to: desired.description };
      const outcomes = [];
      if (!actual.managed) {
        outcomes.push({
          name: desired.name,
          message: `policy "${desired.name}" exists but was not created by Groundwork; it will be updated to match the config`,
          group: 'Root',
        });
      }
      if (Object.keys(changed).length === 0) return outcomes;
      return [
        ...outcomes,
        {
          action: 'update' as const,
          details: { ...changed, id: actual.id },
          group: 'Root',
          run: async (progress: (m: string) => void) => {
            await retrying('UpdatePolicy', progress, () =>
              orgsOnce.send(new UpdatePolicyCommand({ PolicyId: actual.id, Content: desired.content, Description: desired.description })),
            );
          },
        },
      ];
    },
    orphan(actual) {
      if (!actual.managed) return { name: actual.name, message: `policy "${actual.name}" is not in the config; left alone (unmanaged)`, group: 'Root' };
      return {
        action: 'delete',
        details: { id: actual.id, detachFrom: actual.targetIds.length, reason: 'managed by Groundwork and no longer enabled in the config' },
        group: 'Root',
        run: async (progress) => {
          for (const target of actual.targetIds) {
            await retrying('DetachPolicy', progress, async () => {
              try {
                await orgsOnce.send(new DetachPolicyCommand({ PolicyId: actual.id, TargetId: target }));
              } catch (error) {
                if (!isError(error, 'PolicyNotAttachedException', 'TargetNotFoundException')) throw error;
              }
            });
          }
          await retrying('DeletePolicy', progress, async () => {
            try {
              await orgsOnce.send(new DeletePolicyCommand({ PolicyId: actual.id }));
            } catch (error) {
              if (!isError(error, 'PolicyNotFoundException')) throw error;
            }
          });
        },
      };
    },
  };
}
