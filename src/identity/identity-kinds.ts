import type { AnyKind } from '../engine/plan.js';
import type { IdentityContext } from './identity-context.js';
import { assignmentKind } from './kinds/assignment-kind.js';
import { groupKind, identityCenterKind } from './kinds/group-kind.js';
import { permissionSetKind } from './kinds/permission-set-kind.js';

/** The Identity Center kinds, planned and applied with the organization's. */
export function identityKinds(ctx: IdentityContext): AnyKind[] {
  return [identityCenterKind(ctx), permissionSetKind(ctx), groupKind(ctx), assignmentKind(ctx)];
}
