import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { type AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { beforeAll, describe, expect, it } from 'vitest';
import { loopbackHosts, newConsoleToken, sessionCookieName } from '../src/console/server/access.js';
import { createApp } from '../src/console/server/app.js';
import { ChangeLog } from '../src/console/server/change-log.js';
import { createOrgContext } from '../src/org/org-context.js';
import { readOrganizationBasics } from '../src/org/read-organization.js';
import { sampleFindings, seedSampleFindings } from '../src/sandbox/sample-findings.js';
import { isActiveHighFinding, readSecurityPosture, type SecurityPosture } from '../src/security/security-posture.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const ORIGIN = 'http://127.0.0.1:8080';
const ACCESS = { token: newConsoleToken(), hosts: () => loopbackHosts(8080) };
const COOKIE = `${sessionCookieName(new URL(ORIGIN))}=${ACCESS.token}`;
const unused = () => {
  throw new Error('not used by the security route');
};

/** A finding in the shape Security Hub's BatchImportFindings takes (AwsSecurityFinding's required fields). */
function finding(id: string, accountId: string, label: string, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:us-east-1:${accountId}:product/${accountId}/default`,
    GeneratorId: 'groundwork-test',
    AwsAccountId: accountId,
    CreatedAt: '2026-01-01T00:00:00Z',
    UpdatedAt: '2026-01-01T00:00:00Z',
    Title: `test finding ${id}`,
    Description: 'imported by the test',
    Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${accountId}` }],
    Severity: { Label: label as 'HIGH' },
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
    ...extra,
  } as AwsSecurityFinding;
}

describe('the console shows GuardDuty, Security Hub and the active high findings per account', () => {
  const config = configWith();
  let ids: Map<string, string>;

  beforeAll(async () => {
    const clients = sandbox.emulator.clients();
    await applyFoundation(config, clients);
    ids = new Map(
      ((await clients.create(OrganizationsClient).send(new ListAccountsCommand({}))).Accounts ?? []).map((a) => [a.Name as string, a.Id as string]),
    );
    const security = ids.get('security') as string;
    const prod = ids.get('prod') as string;
    // Findings as the administrator holds them: two active HIGH/CRITICAL for prod, one LOW, one resolved, one from GuardDuty.
    await clients.create(SecurityHubClient, { accountId: security }).send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('f-1', prod, 'HIGH'),
          finding('f-2', prod, 'CRITICAL'),
          finding('f-3', prod, 'LOW'),
          finding('f-4', prod, 'HIGH', { Workflow: { Status: 'RESOLVED' } }),
          finding('f-5', prod, 'HIGH', { ProductName: 'GuardDuty' }),
        ],
      }),
    );
  }, 120_000);

  const app = () => {
    const ctx = createOrgContext(config, sandbox.emulator.clients());
    return createApp(
      {
        environments: unused,
        security: async () => {
          await readOrganizationBasics(ctx);
          for (const [name, id] of ids) if (id !== ctx.registry.managementAccountId) ctx.registry.accountIds.set(name, id);
          return readSecurityPosture(ctx);
        },
        costs: { overview: unused, history: unused, statement: unused, breakdown: unused } as never,
        audit: { accountsByEnvironment: new Map(), search: unused },
        people: {} as never,
        deliveries: unused,
        changes: new ChangeLog(),
        whoami: async () => 'sandbox operator',
        target: 'sandbox',
      },
      ACCESS,
    );
  };

  it('GET /api/security: GuardDuty and Security Hub on in every account, active high findings counted, and what the emulator lacks named', async () => {
    const response = await app().request(new Request(`${ORIGIN}/api/security`, { headers: { cookie: COOKIE } }));
    expect(response.status).toBe(200);
    const posture = (await response.json()) as SecurityPosture & { target: string };
    expect(posture).toMatchObject({ minimumSeverity: 'HIGH', administrator: 'security', region: 'us-east-1', target: 'sandbox', sample: false });
    const security = posture.accounts.find((a) => a.account === 'security');
    expect(security).toMatchObject({ guardDuty: 'enabled', securityHub: 'enabled' });
    // GuardDuty's organization auto-enable is not emulated: a member account has no detector in the sandbox, and says so.
    expect(posture.accounts.find((a) => a.account === 'dev')).toMatchObject({ guardDuty: 'disabled', securityHub: 'disabled' });
    expect(posture.accounts.find((a) => a.account === 'prod')?.highFindings).toEqual({ guardDuty: null, securityHub: 2 });
    expect(posture.accounts.find((a) => a.account === 'dev')?.highFindings.securityHub).toBe(0);
    expect(posture.notes).toContainEqual(expect.stringMatching(/GuardDuty findings: the emulator has no GetFindingsStatistics \(not emulated\)/));
  });

  it('the sandbox sample findings groundwork up seeds are counted and marked as sample', async () => {
    const security = ids.get('security') as string;
    const accounts = new Map([...ids].filter(([name]) => name !== 'management'));
    expect(await seedSampleFindings(sandbox.emulator.clients(), { accountId: security, isCaller: false }, 'us-east-1', accounts)).toBe(3);
    const response = await app().request(new Request(`${ORIGIN}/api/security`, { headers: { cookie: COOKIE } }));
    const posture = (await response.json()) as SecurityPosture;
    expect(posture.sample).toBe(true);
    // prod: the two imported above and the sample HIGH; staging: the sample CRITICAL; dev: its sample is MEDIUM, below HIGH.
    expect(posture.accounts.find((a) => a.account === 'prod')?.highFindings.securityHub).toBe(3);
    expect(posture.accounts.find((a) => a.account === 'staging')?.highFindings.securityHub).toBe(1);
    expect(posture.accounts.find((a) => a.account === 'dev')?.highFindings.securityHub).toBe(0);
    expect(sampleFindings(security, 'us-east-1', accounts, new Date('2026-01-01T00:00:00Z')).every((f) => f.Title?.startsWith('[sample] '))).toBe(true);
  });

  it('answers 404 NOT_FOUND where the console reads no security services', async () => {
    const bare = createApp(
      {
        environments: unused,
        costs: {} as never,
        audit: { accountsByEnvironment: new Map(), search: unused },
        people: {} as never,
        deliveries: unused,
        changes: new ChangeLog(),
        whoami: async () => 'x',
        target: 'sandbox',
      },
      ACCESS,
    );
    const response = await bare.request(new Request(`${ORIGIN}/api/security`, { headers: { cookie: COOKIE } }));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('GET /api/security answers only a loopback Host with the session cookie: a forged Host or no cookie reads nothing', async () => {
    let reads = 0;
    const guarded = createApp(
      {
        environments: unused,
        security: async () => {
          reads += 1;
          return {} as SecurityPosture;
        },
        costs: {} as never,
        audit: { accountsByEnvironment: new Map(), search: unused },
        people: {} as never,
        deliveries: unused,
        changes: new ChangeLog(),
        whoami: async () => 'x',
        target: 'sandbox',
      },
      ACCESS,
    );
    const forgedHost = await guarded.request(new Request(`${ORIGIN}/api/security`, { headers: { cookie: COOKIE, host: 'attacker.example:8080' } }));
    expect(forgedHost.status).toBe(403);
    expect(((await forgedHost.json()) as { error: { code: string } }).error.code).toBe('HOST_REJECTED');
    const noCookie = await guarded.request(new Request(`${ORIGIN}/api/security`));
    expect(noCookie.status).toBe(401);
    expect(((await noCookie.json()) as { error: { code: string } }).error.code).toBe('CONSOLE_UNAUTHENTICATED');
    const wrongCookie = await guarded.request(new Request(`${ORIGIN}/api/security`, { headers: { cookie: `${COOKIE}x` } }));
    expect(wrongCookie.status).toBe(401);
    expect(reads).toBe(0);
  });

  it('counts a finding only when active, new or notified, at or above the minimum, and not from GuardDuty', () => {
    const a = '111111111111';
    expect(isActiveHighFinding(finding('x', a, 'HIGH'), 'HIGH')).toBe(true);
    expect(isActiveHighFinding(finding('x', a, 'MEDIUM'), 'HIGH')).toBe(false);
    expect(isActiveHighFinding(finding('x', a, 'MEDIUM'), 'MEDIUM')).toBe(true);
    expect(isActiveHighFinding(finding('x', a, 'HIGH', { RecordState: 'ARCHIVED' }), 'HIGH')).toBe(false);
    expect(isActiveHighFinding(finding('x', a, 'HIGH', { Workflow: { Status: 'SUPPRESSED' } }), 'HIGH')).toBe(false);
    expect(isActiveHighFinding(finding('x', a, 'CRITICAL', { ProductName: 'GuardDuty' }), 'HIGH')).toBe(false);
  });
});
