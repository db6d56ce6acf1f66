import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../test/helpers/test-emulator.js';
import { toGroundworkError } from './aws-error.js';
import { describeCaller } from './caller.js';
import { type AwsCallRecord, ClientFactory } from './client-factory.js';

describe('the client factory against the emulator', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());

  it('sends calls to the configured endpoint with sandbox credentials', async () => {
    const identity = await emulator.clients().create(STSClient).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
  });

  it('reports the caller organization once one exists', async () => {
    const clients = emulator.clients();
    expect((await describeCaller(clients)).organizationId).toBeUndefined();
    await clients.create(OrganizationsClient).send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const caller = await describeCaller(clients);
    expect(caller.organizationId).toMatch(/^o-/);
    expect(caller.managementAccountId).toBe('123456789012');
  });

  it('acts in a member account through its access role', async () => {
    const clients = emulator.clients();
    const created = await clients.create(OrganizationsClient).send(new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' }));
    const memberId = created.CreateAccountStatus?.AccountId as string;
    const identity = await clients.create(STSClient, { accountId: memberId }).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(memberId);
    expect(identity.Arn).toContain('OrganizationAccountAccessRole/groundwork');
  });

  it('tells observers about every call, with service and operation', async () => {
    const clients = emulator.clients();
    const calls: AwsCallRecord[] = [];
    clients.observe((call) => calls.push(call));
    await clients.create(STSClient).send(new GetCallerIdentityCommand({}));
    expect(calls).toEqual([expect.objectContaining({ service: 'STS', operation: 'GetCallerIdentity', region: 'us-east-1' })]);
  });

  it('maps a refused connection to EMULATOR_NOT_RUNNING with a hint', async () => {
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    const error = await clients
      .create(STSClient)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => toGroundworkError(e, 'reading the caller', 'http://127.0.0.1:9'));
    expect(error).toMatchObject({ code: 'EMULATOR_NOT_RUNNING', hint: expect.stringMatching(/groundwork emulator start/) });
  });
});
