import { spawn } from 'node:child_process';
import { IdentitystoreClient, paginateListGroups, paginateListUsers } from '@aws-sdk/client-identitystore';
import {
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../src/aws/client-factory.js';
import { applyPlan } from '../src/engine/apply.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { findInstance } from '../src/identity/identity-context.js';
import { readGroups } from '../src/identity/kinds/group-kind.js';
import { importUsers } from '../src/identity/people/import-users.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { configWith, planFoundation, planOrg, summary } from './helpers/org.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
beforeEach(() => sandbox.emulator.reset());

/** Names that appear more than once among accounts, OUs and SCPs: must stay empty. */
async function duplicates(): Promise<string[]> {
  const client = sandbox.emulator.clients().create(OrganizationsClient);
  const names: string[] = [];
  for await (const page of paginateListAccounts({ client }, {}))
    names.push(...(page.Accounts ?? []).map((a) => `account ${a.Name}`), ...(page.Accounts ?? []).map((a) => `email ${a.Email}`));
  const root = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
  names.push(...((await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits ?? []).map((o) => `ou ${o.Name}`));
  names.push(...((await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? []).map((p) => `scp ${p.Name}`));
  return names.filter((name, i) => names.indexOf(name) !== i);
}

describe('apply under injected faults (20% throttling and 500s)', () => {
  for (const seed of [1, 2, 3]) {
    it(`converges with nothing duplicated or lost (seed ${seed})`, async () => {
      const proxy = await startFaultProxy({ target: sandbox.emulator.endpoint, failureRate: 0.2, seed });
      try {
        const faulty = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
        const config = configWith();
        // A run may still fail a change after every retry; apply converges when run again, as a user would.
        for (let run = 0; run < 3; run++) {
          const result = await applyPlan(await planOrg(config, faulty), { concurrency: 8 });
          if (result.failed.length === 0) break;
        }
        // The proxy really did inject each kind of fault, including the ambiguous one (the call happened, the answer was lost).
        expect(proxy.stats.faults.throttled).toBeGreaterThan(0);
        expect(proxy.stats.faults.failedBefore).toBeGreaterThan(0);
        expect(proxy.stats.faults.failedAfter).toBeGreaterThan(0);
      } finally {
        await proxy.close();
      }
      expect(summary(await planOrg(configWith(), sandbox.emulator.clients()))).toEqual([]);
      expect(await duplicates()).toEqual([]);
    });
  }
});

/** Runs `groundwork apply --yes` in a child process and kills it after `killAfter` AWS calls. */
async function applyKilledAfter(killAfter: number): Promise<number> {
  let child: ReturnType<typeof spawn> | undefined;
  const proxy = await startFaultProxy({
    target: sandbox.emulator.endpoint,
    onRequest: (count) => {
      if (count === killAfter) child?.kill('SIGKILL');
    },
  });
  try {
    child = spawn(process.execPath, [SHARED_PATHS.bin, 'apply', '--yes', '--endpoint', proxy.endpoint], { stdio: 'ignore', cwd: SHARED_PATHS.root });
    await new Promise((resolve) => child?.on('exit', resolve));
    return proxy.stats.requests;
  } finally {
    await proxy.close();
  }
}

describe('apply killed part-way', () => {
  for (const killAfter of [8, 20, 35, 60]) {
    it(`converges on the next run with no duplicate account or OU (killed after ${killAfter} calls)`, async () => {
      const seen = await applyKilledAfter(killAfter);
      expect(seen).toBeGreaterThanOrEqual(killAfter);
      const config = configWith();
      const result = await applyPlan(await planOrg(config, sandbox.emulator.clients()));
      expect(result.failed).toEqual([]);
      expect(summary(await planOrg(config, sandbox.emulator.clients()))).toEqual([]);
      expect(await duplicates()).toEqual([]);
    });
  }
});

/** Users and groups that appear more than once in the identity store: must stay empty. */
async function identityDuplicates(): Promise<string[]> {
  const { Instances } = await sandbox.emulator.clients().create(SSOAdminClient).send(new ListInstancesCommand({}));
  const store = sandbox.emulator.clients().create(IdentitystoreClient);
  const IdentityStoreId = Instances?.[0]?.IdentityStoreId as string;
  const names: string[] = [];
  for await (const page of paginateListUsers({ client: store }, { IdentityStoreId }))
    names.push(...(page.Users ?? []).map((u) => `user ${u.UserName?.toLowerCase()}`));
  for await (const page of paginateListGroups({ client: store }, { IdentityStoreId })) names.push(...(page.Groups ?? []).map((g) => `group ${g.DisplayName}`));
  return names.filter((name, i) => names.indexOf(name) !== i);
}

describe('identity apply and import under injected faults', () => {
  for (const seed of [7, 8]) {
    it(`converge with no duplicate user, group or assignment (seed ${seed})`, async () => {
      const proxy = await startFaultProxy({ target: sandbox.emulator.endpoint, failureRate: 0.2, seed });
      const config = configWith();
      let imported = 0;
      try {
        const faulty = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
        for (let run = 0; run < 3; run++) {
          const result = await applyPlan(await planFoundation(config, faulty), { concurrency: 8 });
          if (result.failed.length === 0) break;
        }
        const contexts = createFoundationContexts(config, faulty);
        await findInstance(contexts.identity);
        await readGroups(contexts.identity);
        const summary1 = await importUsers(contexts.identity, `${SHARED_PATHS.root}examples/users.csv`);
        imported = summary1.created;
        expect(proxy.stats.faults.failedAfter).toBeGreaterThan(0);
      } finally {
        await proxy.close();
      }
      expect(imported).toBe(25);
      expect(summary(await planFoundation(config, sandbox.emulator.clients()))).toEqual([]);
      expect(await identityDuplicates()).toEqual([]);
      const contexts = createFoundationContexts(config, sandbox.emulator.clients());
      await findInstance(contexts.identity);
      await readGroups(contexts.identity);
      const again = await importUsers(contexts.identity, `${SHARED_PATHS.root}examples/users.csv`);
      expect({ created: again.created, updated: again.updated, unchanged: again.unchanged }).toEqual({ created: 0, updated: 0, unchanged: 25 });
    });
  }
});
