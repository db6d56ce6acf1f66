import { IdentitystoreClient, UpdateUserCommand } from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith } from '../../../test/helpers/org.js';
import { ClientFactory } from '../../aws/client-factory.js';
import { OrgRegistry } from '../../org/org-context.js';
import { createIdentityContext } from '../identity-context.js';
import { emulatorPolicyArns } from '../kinds/permission-set-kind.js';
import { updateUser } from './identity-store-users.js';

// moto has no identitystore:UpdateUser; the AWS path is tested against a mocked client.
const store = mockClient(IdentitystoreClient);
afterEach(() => store.reset());

describe('updating a user on AWS', () => {
  it('sends UpdateUser with every attribute, in place', async () => {
    store.on(UpdateUserCommand).resolves({});
    const ctx = createIdentityContext(configWith(), new ClientFactory({ target: 'aws', region: 'us-east-1' }), new OrgRegistry());
    ctx.registry.instance = { instanceArn: 'arn:aws:sso:::instance/ssoins-1', identityStoreId: 'd-1' };
    const result = await updateUser(
      ctx,
      { id: 'u-1', username: 'ana', email: 'old@example.com', givenName: 'Ana', familyName: 'G', displayName: 'Ana G', memberships: new Map() },
      { username: 'ana', email: 'new@example.com', givenName: 'Ana', familyName: 'García', displayName: 'Ana García', groups: [] },
    );
    expect(result).toEqual({ outcome: 'updated', userId: 'u-1' });
    expect(store.commandCalls(UpdateUserCommand)[0]?.args[0].input).toEqual({
      IdentityStoreId: 'd-1',
      UserId: 'u-1',
      Operations: [
        { AttributePath: 'displayName', AttributeValue: 'Ana García' },
        { AttributePath: 'name.givenName', AttributeValue: 'Ana' },
        { AttributePath: 'name.familyName', AttributeValue: 'García' },
        { AttributePath: 'emails', AttributeValue: [{ value: 'new@example.com', type: 'work', primary: true }] },
      ],
    });
  });
});

describe('emulatorPolicyArns', () => {
  const billing = 'arn:aws:iam::aws:policy/job-function/Billing';

  it('uses real ARNs against AWS', () => {
    const arns = emulatorPolicyArns('aws', [billing]);
    expect(arns.toCall(billing)).toBe(billing);
  });

  it('works around moto dropping policy paths, and maps them back on read', () => {
    const arns = emulatorPolicyArns('sandbox', [billing, 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(arns.toCall(billing)).toBe('arn:aws:iam::aws:policy/Billing');
    expect(arns.fromRead('arn:aws:iam::aws:policy/Billing')).toBe(billing);
    expect(arns.toCall('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
  });
});

describe('a permissions boundary on AWS', () => {
  it('is put on a permission set when the config sets one', async () => {
    const { SSOAdminClient, PutPermissionsBoundaryToPermissionSetCommand, CreatePermissionSetCommand, AttachManagedPolicyToPermissionSetCommand } =
      await import('@aws-sdk/client-sso-admin');
    const { permissionSetKind } = await import('../kinds/permission-set-kind.js');
    const sso = mockClient(SSOAdminClient);
    sso.on(CreatePermissionSetCommand).resolves({ PermissionSet: { PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' } });
    sso.on(AttachManagedPolicyToPermissionSetCommand).resolves({});
    sso.on(PutPermissionsBoundaryToPermissionSetCommand).resolves({});
    const config = configWith((raw) => {
      raw.identityCenter.permissionSets = [{ name: 'Bounded', managedPolicies: ['PowerUserAccess'], permissionsBoundary: 'PowerUserAccess' }];
      raw.identityCenter.assignments = [];
    });
    const ctx = createIdentityContext(config, new ClientFactory({ target: 'aws', region: 'us-east-1' }), new OrgRegistry());
    ctx.registry.instance = { instanceArn: 'arn:aws:sso:::instance/ssoins-1', identityStoreId: 'd-1' };
    const kind = permissionSetKind(ctx);
    const [change] = kind.diff(kind.desired()[0] as never, undefined) as unknown as { run: (p: (m: string) => void) => Promise<void> }[];
    await change?.run(() => {});
    expect(sso.commandCalls(PutPermissionsBoundaryToPermissionSetCommand)[0]?.args[0].input).toEqual({
      InstanceArn: 'arn:aws:sso:::instance/ssoins-1',
      PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
      PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
    });
    sso.restore();
  });
});
