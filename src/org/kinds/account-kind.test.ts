import { AccountClient, PutAccountNameCommand } from '@aws-sdk/client-account';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith } from '../../../test/helpers/org.js';
import { ClientFactory } from '../../aws/client-factory.js';
import type { ChangeSpec } from '../../engine/types.js';
import { createOrgContext } from '../org-context.js';
import { accountKind, closeQuota } from './account-kind.js';

// moto has no account:PutAccountName, so the AWS path of a rename is tested against a mocked client.
const account = mockClient(AccountClient);
afterEach(() => account.reset());

describe('renaming an account on AWS', () => {
  it('calls PutAccountName with the account ID and the new name', async () => {
    account.on(PutAccountNameCommand).resolves({});
    const config = configWith();
    const ctx = createOrgContext(config, new ClientFactory({ target: 'aws', region: 'us-east-1' }));
    ctx.registry.ouIds.set('Stage', 'ou-stage');
    const desired = config.organization.accounts.find((a) => a.name === 'prod');
    if (!desired) throw new Error('no prod in the shipped config');
    const changes = accountKind(ctx).diff(desired, {
      id: '111122223333',
      name: 'production',
      email: desired.email,
      status: 'ACTIVE',
      parentId: 'ou-stage',
      parentName: 'Stage',
      managed: true,
    }) as ChangeSpec[];
    expect(changes.map((c) => c.action)).toEqual(['update']);
    await changes[0]?.run(() => {});
    expect(account.commandCalls(PutAccountNameCommand)[0]?.args[0].input).toEqual({ AccountId: '111122223333', AccountName: 'prod' });
  });
});

describe('closeQuota', () => {
  it('is 10% of member accounts, at least 10 and at most 1,000', () => {
    expect(closeQuota(5)).toBe(10);
    expect(closeQuota(250)).toBe(25);
    expect(closeQuota(50_000)).toBe(1000);
  });
});
