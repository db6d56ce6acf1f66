import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import type { AnyKind } from '../engine/plan.js';
import { createIdentityContext, type IdentityContext } from '../identity/identity-context.js';
import { identityKinds } from '../identity/identity-kinds.js';
import { createOrgContext, type OrgContext } from '../org/org-context.js';
import { organizationKinds } from '../org/organization-kinds.js';
import { securityServiceKinds } from '../security/security-kinds.js';

/** The contexts of one plan of the whole foundation. */
export interface FoundationContexts {
  readonly org: OrgContext;
  readonly identity: IdentityContext;
}

/** Fresh contexts for one plan: the identity layer shares the organization's registry of account IDs. */
export function createFoundationContexts(
  config: GroundworkConfig,
  clients: ClientFactory,
  options: { readConcurrency?: number; memberSettings?: 'read' | 'skip' } = {},
): FoundationContexts {
  const org = createOrgContext(config, clients, options);
  return { org, identity: createIdentityContext(config, clients, org.registry) };
}

/** Every kind `plan` and `apply` manage: the organization graph, the security services, then Identity Center. */
export function foundationKinds(contexts: FoundationContexts): AnyKind[] {
  return [...organizationKinds(contexts.org), ...securityServiceKinds(contexts.org), ...identityKinds(contexts.identity)];
}
