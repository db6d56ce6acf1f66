import { AttachPolicyCommand, DetachPolicyCommand } from '@aws-sdk/client-organizations';
import { isError } from '../../aws/aws-error.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import type { OrgContext } from '../org-context.js';
import { type PolicyFamily, scpFamily } from './policy-family.js';
import type { LivePolicy } from './scp-kind.js';

/** Where an SCP is attached, by name. */
export interface AttachmentTarget {
  readonly type: 'root' | 'ou' | 'account';
  /** 'Root', an OU name or an account name. */
  readonly name: string;
}

/** One policy on one target. */
export interface Attachment {
  readonly policy: string;
  readonly target: AttachmentTarget;
  /** Set on live attachments. */
  readonly policyId?: string;
  readonly targetId?: string;
}

const label = (target: AttachmentTarget) => (target.type === 'root' ? 'Root' : `${target.type === 'ou' ? 'OU' : 'account'} ${target.name}`);
const identity = (a: Attachment) => `${a.policy} → ${label(a.target)}`;

/** SCP (or RCP) attachments: attached and detached per the config; the per-target limit is checked before any AWS call. */
export function scpAttachmentKind(
  ctx: OrgContext,
  livePolicies: () => readonly LivePolicy[],
  family: PolicyFamily = scpFamily(ctx),
): ResourceKind<Attachment, Attachment> {
  const { orgsOnce, registry, config } = ctx;
  const declaredPolicies = () => family.policies();
  let live: Attachment[] = [];

  const targetOf = (targetId: string): AttachmentTarget | undefined => {
    if (targetId === registry.rootId) return { type: 'root', name: 'Root' };
    const ou = registry.ouNameById.get(targetId);
    if (ou !== undefined) return { type: 'ou', name: ou };
    for (const [name, id] of registry.accountIds) if (id === targetId) return { type: 'account', name };
    return undefined;
  };
  const resolve = (target: AttachmentTarget) =>
    target.type === 'root' ? registry.root() : target.type === 'ou' ? registry.parent(target.name) : registry.account(target.name);
  const idOfTarget = (target: AttachmentTarget) =>
    target.type === 'root' ? registry.rootId : target.type === 'ou' ? registry.ouIds.get(target.name) : registry.accountIds.get(target.name);

  const desiredAttachments = (): Attachment[] =>
    declaredPolicies()
      .filter((p) => p.enabled)
      .flatMap((p) => [
        ...(p.targets.root ? [{ policy: p.name, target: { type: 'root' as const, name: 'Root' } }] : []),
        ...p.targets.organizationalUnits.map((name) => ({ policy: p.name, target: { type: 'ou' as const, name } })),
        ...p.targets.accounts.map((name) => ({ policy: p.name, target: { type: 'account' as const, name } })),
      ]);

  const enabledManaged = () =>
    new Set(
      declaredPolicies()
        .filter((p) => p.enabled)
        .map((p) => p.name),
    );
  const budgetActionPolicies = () =>
    new Set(
      declaredPolicies()
        .filter((p) => p.attachedByBudgetActionOf !== undefined)
        .map((p) => p.name),
    );

  /** Refuses a plan that would leave a target with more policies of the family than AWS allows. */
  const checkLimits = (desired: Attachment[]) => {
    const managedNames = new Set(
      livePolicies()
        .filter((p) => p.managed)
        .map((p) => p.name),
    );
    const declared = new Set(declaredPolicies().map((p) => p.name));
    const counts = new Map<string, { target: AttachmentTarget; names: Set<string> }>();
    const add = (target: AttachmentTarget, policy: string) => {
      const key = label(target);
      const entry = counts.get(key) ?? { target, names: new Set<string>() };
      entry.names.add(policy);
      counts.set(key, entry);
    };
    for (const a of desired) add(a.target, a.policy);
    // The Playground guard's budget action may attach its policy at any time: keep room for it.
    for (const p of declaredPolicies()) {
      if (p.enabled && p.attachedByBudgetActionOf !== undefined) add({ type: 'account', name: p.attachedByBudgetActionOf }, p.name);
    }
    for (const [targetId, names] of family.attachmentsByTarget) {
      const target = targetOf(targetId);
      if (!target) continue;
      // Policies Groundwork does not own stay attached; FullAWSAccess stays too.
      for (const name of names) if (!managedNames.has(name) && !declared.has(name)) add(target, name);
    }
    for (const desiredTarget of desired.map((a) => a.target)) {
      const key = label(desiredTarget);
      const entry = counts.get(key);
      if (entry && (family.fullAccessAlwaysAttached || !idOfTarget(desiredTarget))) entry.names.add(family.fullAccess);
    }
    for (const { target, names } of counts.values()) {
      if (names.size > family.perTarget) {
        throw new GroundworkError(
          'PLAN_INVALID',
          `${label(target)} would carry ${names.size} ${family.label} (${[...names].join(', ')}); AWS allows ${family.perTarget}`,
          {
            hint: 'attach some policies lower in the tree, merge policies, or detach policies Groundwork does not manage',
          },
        );
      }
    }
  };

  return {
    kind: family.attachmentKind,
    dependsOn: [family.kind, 'ou', 'account'],
    identity,
    async read() {
      const managed = livePolicies().filter((p) => p.managed);
      live = managed.flatMap((p) =>
        p.targetIds.flatMap((targetId) => {
          const target = targetOf(targetId);
          return target ? [{ policy: p.name, policyId: p.id, target, targetId }] : [];
        }),
      );
      return live;
    },
    desired() {
      const desired = desiredAttachments();
      checkLimits(desired);
      return desired;
    },
    requires: (item) => [
      'policy-type:*',
      `${family.kind}:${item.policy}`,
      ...(item.target.type === 'ou' ? [`ou:${item.target.name}`] : item.target.type === 'account' ? [`account:${item.target.name}`] : []),
    ],
    diff(desired, actual) {
      if (actual) return [];
      // Detach first on the same target, so a full target has room.
      const wanted = new Set(desiredAttachments().map(identity));
      const detachesHere = live
        .filter((a) => label(a.target) === label(desired.target) && !wanted.has(identity(a)))
        .map((a) => `${family.attachmentKind}:${identity(a)}`);
      return [
        {
          action: 'create',
          details: { policy: desired.policy, target: label(desired.target) },
          group:
            desired.target.type === 'ou'
              ? desired.target.name
              : desired.target.type === 'root'
                ? 'Root'
                : (config.organization.accounts.find((a) => a.name === desired.target.name)?.organizationalUnit ?? 'Root'),
          requires: detachesHere,
          run: async (progress) => {
            await retrying('AttachPolicy', progress, async () => {
              try {
                await orgsOnce.send(new AttachPolicyCommand({ PolicyId: registry.policy(desired.policy, family.ids), TargetId: resolve(desired.target) }));
              } catch (error) {
                if (!isError(error, 'DuplicatePolicyAttachmentException')) throw error;
              }
            });
          },
        },
      ];
    },
    orphan(actual) {
      // A managed policy leaving the config is deleted whole (detached first) by the scp kind.
      if (!enabledManaged().has(actual.policy)) return undefined;
      if (budgetActionPolicies().has(actual.policy)) {
        return {
          name: identity(actual),
          message: `"${actual.policy}" was attached to ${label(actual.target)} by the Playground budget action; left as is (lifting it: docs/runbooks/cost.md)`,
          group: actual.target.type === 'ou' ? actual.target.name : 'Root',
        };
      }
      return {
        action: 'delete',
        details: { policy: actual.policy, target: label(actual.target) },
        group: actual.target.type === 'ou' ? actual.target.name : 'Root',
        run: async (progress) => {
          await retrying('DetachPolicy', progress, async () => {
            try {
              await orgsOnce.send(new DetachPolicyCommand({ PolicyId: actual.policyId as string, TargetId: actual.targetId as string }));
            } catch (error) {
              if (!isError(error, 'PolicyNotAttachedException')) throw error;
            }
          });
        },
      };
    },
  };
}
