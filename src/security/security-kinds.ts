import type { AnyKind } from '../engine/plan.js';
import type { OrgContext } from '../org/org-context.js';
import { guardDutyKind } from './guardduty-kind.js';
import { securityHubKind } from './security-hub-kind.js';

/**
 * The security services Groundwork configures through their APIs from the administrator account (GuardDuty, Security
 * Hub): planned and applied with the organization, after the accounts and the delegated administration they need.
 */
export function securityServiceKinds(ctx: OrgContext): AnyKind[] {
  return [guardDutyKind(ctx), securityHubKind(ctx)];
}
