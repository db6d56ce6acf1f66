// The policies are imported, not read from disk, so that an action bundle (ncc) carries them: a bundled action runs
// from actions/<name>/dist/, where no path relative to this file exists.
import denyCommitmentPurchases from '../org/guardrails/deny-commitment-purchases/policy.json' with { type: 'json' };
import denyLeaveOrganization from '../org/guardrails/deny-leave-organization/policy.json' with { type: 'json' };
import denyNewSpend from '../org/guardrails/deny-new-spend/policy.json' with { type: 'json' };
import denyRootUser from '../org/guardrails/deny-root-user/policy.json' with { type: 'json' };
import protectAuditTrail from '../org/guardrails/protect-audit-trail/policy.json' with { type: 'json' };
import protectDeliveryRepository from '../org/guardrails/protect-delivery-repository/policy.json' with { type: 'json' };
import protectGroundworkRoles from '../org/guardrails/protect-groundwork-roles/policy.json' with { type: 'json' };
import regionAllowList from '../org/guardrails/region-allow-list/policy.json' with { type: 'json' };

/** Every built-in guardrail by name: its folder under src/org/guardrails/ (a test keeps this list equal to the folders). */
const GUARDRAILS: Readonly<Record<string, unknown>> = {
  'deny-commitment-purchases': denyCommitmentPurchases,
  'deny-leave-organization': denyLeaveOrganization,
  'deny-new-spend': denyNewSpend,
  'deny-root-user': denyRootUser,
  'protect-audit-trail': protectAuditTrail,
  'protect-delivery-repository': protectDeliveryRepository,
  'protect-groundwork-roles': protectGroundworkRoles,
  'region-allow-list': regionAllowList,
};

/** Names of the built-in guardrail SCPs (folders under src/org/guardrails/). */
export function guardrailNames(): string[] {
  return Object.keys(GUARDRAILS).sort();
}

/** The policy document of a built-in guardrail, as JSON text. */
export function readGuardrail(name: string): string {
  const policy = GUARDRAILS[name];
  if (policy === undefined) throw new Error(`no built-in guardrail named ${name}`);
  return JSON.stringify(policy);
}
