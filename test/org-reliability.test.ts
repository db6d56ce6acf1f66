import { spawn } from 'node:child_process';
import {
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../src/aws/client-factory.js';
import { applyPlan } from '../src/engine/apply.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { configWith, planOrg, summary } from './helpers/org.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { startTestEmulator, type TestEmulator } from './helpers/test-emulator.js';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** Names that appear more than once among accounts, OUs and SCPs: must stay empty. */
async function duplicates(): Promise<string[]> {
  const client = emulator.clients().create(OrganizationsClient);
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
      const proxy = await startFaultProxy({ target: emulator.endpoint, failureRate: 0.2, seed });
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
      expect(summary(await planOrg(configWith(), emulator.clients()))).toEqual([]);
      expect(await duplicates()).toEqual([]);
    });
  }
});

/** Runs `groundwork apply --yes` in a child process and kills it after `killAfter` AWS calls. */
async function applyKilledAfter(killAfter: number): Promise<number> {
  let child: ReturnType<typeof spawn> | undefined;
  const proxy = await startFaultProxy({
    target: emulator.endpoint,
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
      const result = await applyPlan(await planOrg(config, emulator.clients()));
      expect(result.failed).toEqual([]);
      expect(summary(await planOrg(config, emulator.clients()))).toEqual([]);
      expect(await duplicates()).toEqual([]);
    });
  }
});
