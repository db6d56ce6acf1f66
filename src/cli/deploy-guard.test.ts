import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// AWS's answers for credentials of a member account: deploy must stop before any CloudFormation or Organizations write.
describe('deploy --target aws with credentials that are not the management account', () => {
  it('refuses before any change, naming the account and the management account to use', async () => {
    const sts = mockClient(STSClient);
    const orgs = mockClient(OrganizationsClient);
    const cfn = mockClient(CloudFormationClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/dev/me' });
    orgs.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111', FeatureSet: 'ALL' } });
    let stderr = '';
    const code = await runCli(
      ['deploy', '--target', 'aws', '--yes'],
      { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } },
      { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/account 222222222222 is a member of organization o-abcdefghij; Groundwork must run as its management account 111111111111/);
    expect(stderr).toMatch(/hint: use credentials \(--profile\) of the management account/);
    expect(cfn.calls()).toEqual([]);
    expect(orgs.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeOrganizationCommand']);
    sts.restore();
    orgs.restore();
    cfn.restore();
  });
});
