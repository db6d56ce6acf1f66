import {
  CreateGroupMembershipCommand,
  CreateUserCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../aws/client-factory.js';
import { checkConfigText } from '../../config/load-config.js';
import { OrgRegistry } from '../../org/org-context.js';
import { createIdentityContext } from '../identity-context.js';
import { createPerson } from './manage-user.js';

// Recorded shape of AWS's AccessDeniedException for a caller without identitystore:CreateGroupMembership.
const store = mockClient(IdentitystoreClient);

describe('createPerson when a membership is refused', () => {
  beforeEach(() => store.reset());

  it('says the user was created, which groups were not added, and keeps the 403 naming the missing action', async () => {
    const { config } = checkConfigText(
      'organization:\n  organizationalUnits: [{ name: Stage }]\n  accounts: [{ name: prod, organizationalUnit: Stage }]\nidentityCenter:\n  groups: [{ name: Developers }, { name: Operators }]\n',
      'groundwork.yaml',
    );
    if (!config) throw new Error('the test config is invalid');
    const ctx = createIdentityContext(
      config,
      new ClientFactory({ target: 'aws', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      new OrgRegistry(),
    );
    ctx.registry.instance = { instanceArn: 'arn:aws:sso:::instance/ssoins-1', identityStoreId: 'd-1234567890' };
    ctx.registry.groupIds.set('Developers', 'g-dev').set('Operators', 'g-ops');
    store.on(ListUsersCommand).resolves({ Users: [] });
    store.on(ListGroupMembershipsCommand).resolves({ GroupMemberships: [] });
    store.on(CreateUserCommand).resolves({ UserId: 'u-1', IdentityStoreId: 'd-1234567890' });
    store
      .on(CreateGroupMembershipCommand)
      .rejects(
        Object.assign(
          new Error(
            'User: arn:aws:sts::111111111111:assumed-role/Helpdesk/ana is not authorized to perform: identitystore:CreateGroupMembership on resource: d-1234567890',
          ),
          { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } },
        ),
      );
    const attempt = createPerson(ctx, {
      username: 'new.one',
      email: 'new.one@example.com',
      given_name: 'New',
      family_name: 'One',
      display_name: '',
      groups: 'Developers;Operators',
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'AWS_ACCESS_DENIED',
      message: expect.stringMatching(/^user "new\.one" was created, but not added to Developers, Operators: .*identitystore:CreateGroupMembership/),
    });
    expect(store.commandCalls(CreateUserCommand)).toHaveLength(1);
  });
});
