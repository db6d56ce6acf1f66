import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guardrailNames, readGuardrail } from '../../config/guardrail-catalog.js';
import {
  ARCHIVE_DEPLOYER_ROLE_PATTERN,
  EXEMPT_ROLE_PATTERNS,
  PROTECTED_ROLE_PATTERNS,
  ROLE_MANAGER_PATTERNS,
  roleArnPattern,
  SERVICE_CREATED_ROLE_PATTERNS,
} from './protected-roles.js';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const dir = new URL('./', import.meta.url);
const policies = readdirSync(dir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => ({ name: e.name, statements: JSON.parse(readFileSync(new URL(`${e.name}/policy.json`, dir), 'utf8')).Statement as Statement[] }));
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
/** True when every ARN the wildcard `inner` can match is also matched by `outer` (for the simple prefix-star patterns used here). */
const within = (inner: string, outer: string) => glob(outer).test(inner.replace(/\*/g, 'x'));

describe('the guardrails', () => {
  it('are all in the catalog the config reads (bundled with the actions), each with its document', () => {
    expect(guardrailNames()).toEqual(policies.map((p) => p.name).sort());
    for (const p of policies) expect(JSON.parse(readGuardrail(p.name)).Statement).toEqual(p.statements);
  });

  const roleStatements = policies.find((p) => p.name === 'protect-groundwork-roles')?.statements as Statement[];
  const roles = roleStatements[0] as Statement;
  const serviceCreated = roleStatements.find((s) => s.Sid === 'ProtectStackSetExecutionRoles') as Statement;
  const audit = policies.find((p) => p.name === 'protect-audit-trail')?.statements as Statement[];

  it('protect exactly the shared role patterns, creation included', () => {
    expect(list(roles.Resource)).toEqual(PROTECTED_ROLE_PATTERNS.map(roleArnPattern));
    expect(list(roles.Action)).toContain('iam:CreateRole');
    expect(list(roles.Condition?.ArnNotLike?.['aws:PrincipalArn'])).toEqual(ROLE_MANAGER_PATTERNS.map(roleArnPattern));
  });

  it('protect the StackSet execution roles from everyone (only the StackSets service-linked role, which no SCP binds, makes them)', () => {
    expect(list(serviceCreated.Resource)).toEqual(SERVICE_CREATED_ROLE_PATTERNS.map(roleArnPattern));
    expect(list(serviceCreated.Action)).toEqual(list(roles.Action));
    expect(serviceCreated.Condition).toBeUndefined();
  });

  it('exempt only principals that the shared constant names and that protect-groundwork-roles protects', () => {
    const exemptions = policies.flatMap((p) =>
      p.statements.flatMap((s) => list(s.Condition?.ArnNotLike?.['aws:PrincipalArn']).map((arn) => ({ policy: p.name, arn }))),
    );
    expect(exemptions.length).toBeGreaterThan(0);
    for (const { policy, arn } of exemptions) {
      expect({ policy, arn, shared: EXEMPT_ROLE_PATTERNS.map(roleArnPattern).includes(arn) }).toEqual({ policy, arn, shared: true });
      const guarded = roleStatements.flatMap((s) => list(s.Resource));
      expect({ policy, arn, protectedByRoles: guarded.some((r) => within(arn, r)) }).toEqual({ policy, arn, protectedByRoles: true });
    }
  });

  it('let only the deployment role change the archive buckets, and nobody delete, unlock or bypass retention of archived logs', () => {
    const settings = audit.find((s) => s.Sid === 'ProtectLogArchiveBucketSettings') as Statement;
    expect(list(settings.Action)).toEqual(expect.arrayContaining(['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketObjectLockConfiguration']));
    expect(list(settings.Condition?.ArnNotLike?.['aws:PrincipalArn'])).toEqual([roleArnPattern(ARCHIVE_DEPLOYER_ROLE_PATTERN)]);
    const objects = audit.find((s) => s.Sid === 'ProtectArchivedLogs') as Statement;
    expect(list(objects.Action)).toEqual(
      expect.arrayContaining(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention']),
    );
    expect(objects.Condition).toBeUndefined();
  });

  it('fit the SCP size limit of 5,120 characters when minified', () => {
    for (const p of policies) {
      const minified = JSON.stringify(JSON.parse(readFileSync(new URL(`${p.name}/policy.json`, dir), 'utf8')));
      expect({ name: p.name, size: minified.length <= 5120 }).toEqual({ name: p.name, size: true });
    }
  });
});
