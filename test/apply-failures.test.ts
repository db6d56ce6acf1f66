import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ClientFactory } from '../src/aws/client-factory.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createFoundationContexts, foundationKinds } from '../src/foundation/foundation-kinds.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { configWith, planFoundation, planOrg } from './helpers/org.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

const EXTRA = Array.from({ length: 15 }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);

/** The shipped config with 15 more accounts in Playground: 20 member accounts. */
function twentyAccounts(): string {
  const raw = parse(readFileSync(join(SHARED_PATHS.root, 'groundwork.yaml'), 'utf8'));
  for (const name of EXTRA) raw.organization.accounts.push({ name, organizationalUnit: 'Playground' });
  const file = join(mkdtempSync(join(tmpdir(), 'gw-twenty-')), 'groundwork.yaml');
  writeFileSync(file, stringify(raw));
  return file;
}

describe('a failure blocks only what depends on it', () => {
  it('one of 20 account creations fails: the other 19 get their baseline and assignments, and the summary says what was skipped and why', async () => {
    await sandbox.emulator.reset();
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) =>
        operation === 'CreateAccount' && body.includes('"app-07"')
          ? { status: 400, errorType: 'ConstraintViolationException', message: 'injected: the account could not be created' }
          : undefined,
    });
    try {
      const file = twentyAccounts();
      const run = await cli(['apply', '--yes', '--json', '--config', file, '--endpoint', proxy.endpoint]);
      expect(run.code).toBe(1);
      const error = JSON.parse(run.stdout).error;
      expect(error.code).toBe('APPLY_FAILED');
      expect(error.details).toContainEqual(
        expect.stringMatching(/^failed: account app-07: .*ConstraintViolationException|^failed: account app-07: .*could not be created/),
      );
      const skipped = error.details.filter((d: string) => d.startsWith('skipped: '));
      // Exactly app-07's baseline (3 settings, EBS in 2 regions) and its one assignment (Operators · PlatformAdmin): nothing else waited for it.
      expect(skipped.sort()).toEqual(
        [
          'skipped: assignment Operators · PlatformAdmin · app-07 (needs account app-07, which failed)',
          'skipped: ebs-encryption-by-default app-07/eu-west-1 (needs account app-07, which failed)',
          'skipped: ebs-encryption-by-default app-07/us-east-1 (needs account app-07, which failed)',
          'skipped: iam-password-policy app-07 (needs account app-07, which failed)',
          'skipped: s3-block-public-access app-07 (needs account app-07, which failed)',
        ].sort(),
      );
      // Against the emulator directly: everything but app-07 is in place, so the re-plan holds only app-07 and what needs it.
      const config = configWith((raw) => {
        for (const name of EXTRA) raw.organization.accounts.push({ name, organizationalUnit: 'Playground' });
      });
      const replan = await planFoundation(config, sandbox.emulator.clients());
      expect(replan.changes.length).toBeGreaterThan(0);
      expect(replan.changes.filter((c) => !c.name.includes('app-07')).map((c) => c.id)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('one retry layer', () => {
  it('a create the engine retries is sent at most 8 times, not 8 × 8', async () => {
    await sandbox.emulator.reset();
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation) => (operation === 'EnablePolicyType' ? { status: 503, errorType: 'ServiceUnavailableException', message: 'injected' } : undefined),
    });
    try {
      const faulty = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
      const contexts = createFoundationContexts(configWith(), faulty);
      const plan = await buildPlan(foundationKinds(contexts));
      const result = await applyPlan(plan);
      expect(result.failed.map((f) => f.change.kind)).toContain('policy-type');
      // Two policy types (SCP, tag policies), each tried 8 times by the engine alone.
      expect(proxy.stats.operations.get('EnablePolicyType')).toBe(16);
    } finally {
      await proxy.close();
    }
  });

  it('a read is retried by the SDK alone: 8 attempts', async () => {
    await sandbox.emulator.reset();
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation) =>
        operation === 'DescribeOrganization' ? { status: 503, errorType: 'ServiceUnavailableException', message: 'injected' } : undefined,
    });
    try {
      const faulty = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
      await expect(planOrg(configWith(), faulty)).rejects.toThrow();
      expect(proxy.stats.operations.get('DescribeOrganization')).toBe(8);
    } finally {
      await proxy.close();
    }
  });
});

describe('AWS errors in any command', () => {
  it('an access-denied answer in users list is a documented code naming the action, never "unexpected error"', async () => {
    await sandbox.emulator.reset();
    expect((await cli(['apply', '--yes', '--endpoint', sandbox.emulator.endpoint])).code).toBe(0);
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation) =>
        operation === 'ListUsers'
          ? {
              status: 400,
              errorType: 'AccessDeniedException',
              message: 'User: arn:aws:sts::123456789012:assumed-role/ReadOnly/ana is not authorized to perform: identitystore:ListUsers',
            }
          : undefined,
    });
    try {
      const run = await cli(['users', 'list', '--json', '--endpoint', proxy.endpoint]);
      expect(run.code).toBe(1);
      const { error } = JSON.parse(run.stdout);
      expect(error.code).toBe('AWS_ACCESS_DENIED');
      expect(error.message).toMatch(/identitystore:ListUsers to arn:aws:sts::123456789012:assumed-role\/ReadOnly\/ana/);
      expect(run.stderr).not.toMatch(/unexpected error/);
    } finally {
      await proxy.close();
    }
  });
});
