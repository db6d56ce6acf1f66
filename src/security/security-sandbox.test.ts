import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { applyFoundation, configWith, planFoundation } from '../../test/helpers/org.js';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';

const sandbox = useTestEmulator();

describe('the security services in the sandbox', () => {
  it('apply creates the GuardDuty detector in every governed region and the Security Hub hub in the security account, and names what moto lacks', async () => {
    const config = configWith();
    const clients = sandbox.emulator.clients();
    const { plan } = await applyFoundation(config, clients);
    const ids = plan.changes.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['guardduty:security/us-east-1', 'guardduty:security/eu-west-1', 'security-hub:security/us-east-1']));
    // Planned after the account exists and the delegated administrator is designated.
    const detector = plan.changes.find((c) => c.id === 'guardduty:security/us-east-1');
    expect(detector?.requires).toEqual(expect.arrayContaining(['account:security']));

    const accounts = (await clients.create(OrganizationsClient).send(new ListAccountsCommand({}))).Accounts ?? [];
    const security = accounts.find((a) => a.Name === 'security')?.Id as string;
    for (const region of ['us-east-1', 'eu-west-1']) {
      const gd = clients.create(GuardDutyClient, { accountId: security, region });
      const [id] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
      expect({ region, detector: Boolean(id) }).toEqual({ region, detector: true });
      const detail = await gd.send(new GetDetectorCommand({ DetectorId: id }));
      expect(detail.Status).toBe('ENABLED');
      expect(detail.FindingPublishingFrequency).toBe('FIFTEEN_MINUTES');
    }
    const hub = await clients.create(SecurityHubClient, { accountId: security }).send(new DescribeHubCommand({}));
    expect(hub.HubArn).toContain(security);

    // The next plan has nothing left to do for them, and names the parts moto does not have.
    const again = await planFoundation(config, clients);
    expect(again.changes.filter((c) => c.kind === 'guardduty' || c.kind === 'security-hub')).toEqual([]);
    const named = (again.notEmulated ?? []).filter((f) => f.kind === 'guardduty' || f.kind === 'security-hub').map((f) => f.name);
    expect(named).toEqual(expect.arrayContaining(['security/us-east-1', 'security/eu-west-1']));
  });
});
