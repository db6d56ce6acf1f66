import type { AnyKind } from '../engine/plan.js';
import { accountKind } from './kinds/account-kind.js';
import { ebsEncryptionKind, passwordPolicyKind, s3BlockPublicAccessKind } from './kinds/baseline-kinds.js';
import { organizationKind, policyTypeKind, trustedAccessKind } from './kinds/organization-kind.js';
import { ouKind } from './kinds/ou-kind.js';
import { rcpFamily } from './kinds/policy-family.js';
import { scpAttachmentKind } from './kinds/scp-attachment-kind.js';
import { type LivePolicy, scpKind } from './kinds/scp-kind.js';
import { delegatedAdministratorKind, rootAccessKind } from './kinds/security-kinds.js';
import type { OrgContext } from './org-context.js';

/** Every resource kind of the organization layer, for the engine to plan and apply together. */
export function organizationKinds(ctx: OrgContext): AnyKind[] {
  let policies: readonly LivePolicy[] = [];
  let rcps: readonly LivePolicy[] = [];
  const rcp = rcpFamily(ctx);
  return [
    organizationKind(ctx),
    policyTypeKind(ctx),
    trustedAccessKind(ctx),
    rootAccessKind(ctx),
    ouKind(ctx),
    accountKind(ctx),
    delegatedAdministratorKind(ctx),
    scpKind(ctx, (read) => {
      policies = read;
    }),
    scpAttachmentKind(ctx, () => policies),
    scpKind(
      ctx,
      (read) => {
        rcps = read;
      },
      rcp,
    ),
    scpAttachmentKind(ctx, () => rcps, rcp),
    s3BlockPublicAccessKind(ctx),
    ebsEncryptionKind(ctx),
    passwordPolicyKind(ctx),
  ];
}
