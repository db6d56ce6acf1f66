import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../../../test/helpers/paths.js';
import { loadConfig } from '../../config/load-config.js';
import type { GroundworkConfig } from '../../config/resolved-config.js';
import { isAdministratorPermissionSet, privilegedGroups } from './privileged-groups.js';

type PermissionSet = GroundworkConfig['identityCenter']['permissionSets'][number];
type Assignment = GroundworkConfig['identityCenter']['assignments'][number];

const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'gw-privileged-'));
const configFile = join(dir, 'groundwork.yaml');

const set = (fields: Partial<PermissionSet>): PermissionSet => ({
  name: 'Reviewed',
  sessionDurationHours: 1,
  managedPolicies: [],
  customerManagedPolicies: [],
  ...fields,
});

/** A permission set whose inline policy is these statements, written next to the (pretend) config. */
const inline = (...Statement: unknown[]): PermissionSet => {
  const file = `inline-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(join(dir, file), JSON.stringify({ Version: '2012-10-17', Statement }));
  return set({ inlinePolicyFile: file });
};
const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });

/** The default config with one more group holding `permissionSet` through `targets`. */
const withGroup = (permissionSet: PermissionSet, targets: Partial<Assignment>): GroundworkConfig => ({
  ...config,
  sourceFile: configFile,
  identityCenter: {
    ...config.identityCenter,
    permissionSets: [...config.identityCenter.permissionSets, permissionSet],
    groups: [...config.identityCenter.groups, { name: 'Reviewed' }],
    assignments: [
      ...config.identityCenter.assignments,
      { group: 'Reviewed', permissionSet: permissionSet.name, allAccounts: false, organizationalUnits: [], accounts: [], ...targets },
    ],
  },
});

describe("privileged permission sets (the reviewer's ways around the administrator check)", () => {
  it.each([
    ['an Allow with NotAction (everything but account:CloseAccount)', inline({ Effect: 'Allow', NotAction: 'account:CloseAccount', Resource: '*' })],
    ['iam:Put*', inline(allow('iam:Put*'))],
    ['iam:?*', inline(allow('iam:?*'))],
    ['*:*', inline(allow('*:*'))],
    ['i*', inline(allow('i*'))],
    ['IAM:CREATEROLE in capitals', inline(allow('IAM:CREATEROLE'))],
    ['iam:Attach* among reads', inline(allow(['s3:GetObject', 'iam:Attach*']))],
    ['sts:AssumeRole on *', inline(allow('sts:AssumeRole'))],
    ['sts:AssumeRole* on *', inline(allow('sts:AssumeRole*'))],
    ['iam:PassRole with lambda:*', inline(allow(['iam:PassRole', 'lambda:*']))],
    ['sso:*', inline(allow('sso:*'))],
    ['sso-directory:*', inline(allow('sso-directory:*'))],
    ['identitystore:CreateGroupMembership', inline(allow('identitystore:CreateGroupMembership'))],
    ['organizations:DetachPolicy', inline(allow('organizations:DetachPolicy'))],
    ['organizations:* in a statement list with a Deny first', inline({ Effect: 'Deny', Action: '*', Resource: 'arn:aws:s3:::x' }, allow('organizations:*'))],
    ['AWSSSOMasterAccountAdministrator', set({ managedPolicies: ['AWSSSOMasterAccountAdministrator'] })],
    ['AWSSSODirectoryAdministrator by ARN', set({ managedPolicies: ['arn:aws:iam::aws:policy/AWSSSODirectoryAdministrator'] })],
    ['AWSOrganizationsFullAccess', set({ managedPolicies: ['AWSOrganizationsFullAccess'] })],
    ['a customer-managed policy (its content is not in the config)', set({ customerManagedPolicies: ['team-policy'] })],
    ['a managed policy ARN of an account (not AWS managed)', set({ managedPolicies: ['arn:aws:iam::123456789012:policy/anything'] })],
    ['a permissions boundary of an account', set({ managedPolicies: ['ReadOnlyAccess'], permissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary' })],
  ])('%s is privileged, and its group with it (left out of SyncGroupArns)', (_name, permissionSet) => {
    expect(isAdministratorPermissionSet(permissionSet, configFile)).toBe(true);
    expect([...privilegedGroups(withGroup(permissionSet, { accounts: ['dev'] }))].sort()).toEqual(['Operators', 'Reviewed']);
  });

  it.each([
    ['by name', { accounts: ['management'] }],
    ['through allAccounts', { allAccounts: true }],
  ])('PowerUserAccess on the management account (%s) is privileged: it may assume OrganizationAccountAccessRole in every member', (_how, targets) => {
    const power = set({ managedPolicies: ['PowerUserAccess'] });
    expect([...privilegedGroups(withGroup(power, targets))].sort()).toEqual(['Operators', 'Reviewed']);
    expect([...privilegedGroups(withGroup(power, { accounts: ['dev', 'staging'] }))]).toEqual(['Operators']);
  });

  it.each([
    [
      'reads of IAM, Identity Center and Organizations',
      inline(allow(['iam:Get*', 'iam:List*', 'sso:Describe*', 'organizations:List*', 'identitystore:DescribeUser'])),
    ],
    ['workload actions', inline(allow(['s3:*', 'lambda:*', 'dynamodb:PutItem', 'logs:Create*']))],
    ['a Deny of *', inline({ Effect: 'Deny', Action: '*', Resource: '*' })],
    ['ReadOnlyAccess with an AWS managed boundary', set({ managedPolicies: ['ReadOnlyAccess'], permissionsBoundary: 'PowerUserAccess' })],
    ['job-function/Billing on the management account', set({ managedPolicies: ['job-function/Billing'] })],
  ])('%s is not privileged', (_name, permissionSet) => {
    expect(isAdministratorPermissionSet(permissionSet, configFile, true)).toBe(false);
    expect([...privilegedGroups(withGroup(permissionSet, { accounts: ['management', 'dev'] }))]).toEqual(['Operators']);
  });

  it('keeps the default config as it was: Operators privileged; Developers and BackendDevelopers (PowerUserAccess on dev, ReadOnly) not', () => {
    expect([...privilegedGroups(config)]).toEqual(['Operators']);
  });
});
