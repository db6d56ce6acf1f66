import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationResultsCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { applyStackSet, contentHash, type StackSetSpec } from './stacksets.js';

// Recorded shape of a failed StackSet operation (moto runs every operation to SUCCEEDED at once).
const cfn = mockClient(CloudFormationClient);
const spec: StackSetSpec = {
  name: 'groundwork-ecr-repository',
  description: 'test',
  templateBody: '{"Resources":{}}',
  parameters: { B: '2', A: '1' },
  organizationalUnitIds: ['ou-1'],
  accountIds: ['111111111111'],
  overrides: { '222222222222': { Budget: '50' } },
  retainStacksOnAccountRemoval: true,
  regions: ['eu-west-1'],
};

describe('applyStackSet', () => {
  it('creates instances per override group, and stops on a failed operation with its reason and the way on', async () => {
    cfn.reset();
    cfn.on(CreateStackInstancesCommand).resolves({ OperationId: 'op-1' });
    cfn
      .on(DescribeStackSetOperationCommand)
      .resolvesOnce({ StackSetOperation: { Status: 'RUNNING' } })
      .resolves({
        StackSetOperation: {
          Status: 'FAILED',
          StatusReason: 'Account 111111111111 should have failure tolerance of 0: ResourceLogicalId:Key, Status:CREATE_FAILED',
        },
      });
    cfn
      .on(ListStackSetOperationResultsCommand)
      .resolvesOnce({ Summaries: [{ Account: '111111111111', Region: 'eu-west-1', Status: 'RUNNING' }] })
      .resolves({
        Summaries: [{ Account: '111111111111', Region: 'eu-west-1', Status: 'FAILED', StatusReason: 'ResourceLogicalId:Key, Status:CREATE_FAILED' }],
      });
    const progress: string[] = [];
    const run = applyStackSet(
      new CloudFormationClient({ region: 'eu-west-1' }),
      {
        spec,
        action: 'unchanged',
        missing: [
          { account: '111111111111', region: 'eu-west-1' },
          { account: '222222222222', region: 'eu-west-1' },
        ],
        extra: [],
        failed: [],
        changes: [],
      },
      { pollMs: 0, progress: (m) => progress.push(m) },
    );
    await expect(run).rejects.toMatchObject({
      code: 'DEPLOY_FAILED',
      details: ['111111111111 eu-west-1: FAILED: ResourceLogicalId:Key, Status:CREATE_FAILED'],
      message: expect.stringMatching(/^StackSet groundwork-ecr-repository: operation op-1 failed: Account 111111111111 .*CREATE_FAILED/),
      hint: expect.stringContaining('continues where it stopped'),
    });
    expect(progress).toEqual([
      '+ groundwork-ecr-repository: instances in 111111111111 (eu-west-1)',
      '  … groundwork-ecr-repository: running',
      '    groundwork-ecr-repository: 111111111111 eu-west-1 running',
    ]);
    const [first] = cfn.commandCalls(CreateStackInstancesCommand);
    expect(first?.args[0].input).toMatchObject({
      DeploymentTargets: { OrganizationalUnitIds: ['ou-1'], Accounts: ['111111111111'], AccountFilterType: 'INTERSECTION' },
    });
    expect(first?.args[0].input.ParameterOverrides).toBeUndefined();
  });

  it('hashes what a StackSet deploys, whatever the order of its parameters', () => {
    expect(contentHash({ ...spec, parameters: { A: '1', B: '2' } })).toBe(contentHash(spec));
    expect(contentHash({ ...spec, parameters: { A: '1', B: '3' } })).not.toBe(contentHash(spec));
    expect(contentHash({ ...spec, overrides: { '222222222222': { Budget: '60' } } })).not.toBe(contentHash(spec));
  });
});
