import { assertManagementCaller, type CallerIdentity, describeCaller } from '../aws/caller.js';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { buildPlan } from '../engine/plan.js';
import type { Plan, ProgressListener } from '../engine/types.js';
import { createFoundationContexts, foundationKinds } from '../foundation/foundation-kinds.js';
import type { IdentityContext } from '../identity/identity-context.js';
import type { OrgContext } from '../org/org-context.js';
import { type CommandContext, clientsFrom, configFrom, resolveTarget } from './context.js';
import { renderTargetHeader } from './render-plan.js';

/** What plan, apply and status share: config, clients, caller, and a fresh organization context. */
export interface OrgSession {
  readonly config: GroundworkConfig;
  readonly clients: ClientFactory;
  readonly caller: CallerIdentity;
  readonly org: OrgContext;
  readonly identity: IdentityContext;
  readonly header: string;
}

/** Loads the config, builds clients, and checks the caller is the organization's management account. */
export async function openOrgSession(ctx: CommandContext, options: { memberSettings?: 'read' | 'skip' } = {}): Promise<OrgSession> {
  const config = configFrom(ctx);
  const clients = await clientsFrom(ctx, config);
  const caller = await describeCaller(clients);
  assertManagementCaller(caller);
  const header = renderTargetHeader(resolveTarget(ctx), clients.settings.endpoint, caller);
  const contexts = createFoundationContexts(config, clients, options);
  return { config, clients, caller, org: contexts.org, identity: contexts.identity, header };
}

/** Plans every kind of the foundation: organization graph and Identity Center. */
export function planOrganization(session: OrgSession, emit?: ProgressListener): Promise<Plan> {
  return buildPlan(foundationKinds(session), emit);
}
