import { Aws, CfnCondition, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_PROVIDER } from '../../delivery/oidc.js';

/** The people roles' names (their ARNs go into the infrastructure repository's caller workflow). */
export const PEOPLE_ROLES = { sync: 'groundwork-foundation-sync', peopleAdmin: 'groundwork-foundation-people-admin' } as const;

/** What the people roles share with the rest of the bootstrap template. */
export interface PeopleRolesProps {
  /** A trust policy for GitHub's OIDC tokens with these claim conditions (StringEquals). */
  readonly trust: (conditions: Record<string, unknown>) => unknown;
  /** The `sub` (one, or a list) of a push or schedule of the default branch (no environment). */
  readonly defaultBranchSubject: unknown;
  /** `refs/heads/<default branch>`. */
  readonly defaultRef: string;
  /** The `sub` (one, or a list) of a job in this environment of the infrastructure repository. */
  readonly environmentSubject: (environment: string) => unknown;
  /** The apply environment's name (the ApplyEnvironment parameter). */
  readonly applyEnvironment: string;
  /** A statement denying every sts:AssumeRole*. */
  readonly noRoleChaining: Record<string, unknown>;
}

/** Reads of the Identity Store and of the instance both people roles need. */
const READS = [
  'identitystore:Describe*',
  'identitystore:List*',
  'identitystore:GetGroupId',
  'identitystore:GetUserId',
  'identitystore:GetGroupMembershipId',
  'sso:ListInstances',
  'organizations:DescribeOrganization',
  'sts:GetCallerIdentity',
];

/** A group ARN as Identity Store has it (no region, no account), in any partition. */
const GROUP_ARN = 'arn:aws[a-z-]*:identitystore:::group/([0-9a-f]{10}-)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';

/**
 * The people sync's two roles. `groundwork-foundation-sync` (default-branch pushes and schedules, no environment) may
 * create users and change memberships of the groups in SyncGroupArns only, and may not update or delete a user;
 * `groundwork-foundation-people-admin` (the people-admin environment, ApplyEnvironment unless PeopleAdminEnvironment
 * names another, on the default branch) may also update users and change every group's memberships. Identity Store
 * has no condition key for a group and no tags, but CreateGroupMembership and DeleteGroupMembership require the group
 * as a resource, so the sync role's grant names the group ARNs; a group not listed (an administrator group, or one
 * created later) is refused to it, which fails closed. IDs: parameters `PeopleAdminEnvironment`, `SyncGroupArns`,
 * conditions `PeopleAdminInApplyEnvironment`, `HasSyncGroups`, roles `SyncRole`, `PeopleAdminRole`.
 */
export function peopleRoles(scope: Construct, props: PeopleRolesProps): { sync: iam.CfnRole; peopleAdmin: iam.CfnRole } {
  const adminEnvironment = new CfnParameter(scope, 'PeopleAdminEnvironment', {
    type: 'String',
    default: '',
    description:
      "The GitHub environment of the job that makes privileged people changes (administrator groups' memberships, users' e-mails); empty means ApplyEnvironment. Give it required reviewers.",
    allowedPattern: '^[A-Za-z0-9._-]{0,255}$',
  });
  const syncGroups = new CfnParameter(scope, 'SyncGroupArns', {
    type: 'String',
    default: '',
    description:
      "Comma-separated ARNs (arn:aws:identitystore:::group/ID) of the groups whose memberships the sync role may change without approval: those holding no administrator permission set (the sync-sso-users summary lists them). Empty: every membership change waits for the people-admin job's approval.",
    allowedPattern: `^(${GROUP_ARN}(,${GROUP_ARN})*)?$`,
  });
  const inApplyEnvironment = new CfnCondition(scope, 'PeopleAdminInApplyEnvironment', {
    expression: Fn.conditionEquals(adminEnvironment.valueAsString, ''),
  });
  const hasSyncGroups = new CfnCondition(scope, 'HasSyncGroups', { expression: Fn.conditionNot(Fn.conditionEquals(syncGroups.valueAsString, '')) });
  // The resources besides the group that CreateGroupMembership and DeleteGroupMembership require.
  const others = [
    `arn:${Aws.PARTITION}:identitystore::${Aws.ACCOUNT_ID}:identitystore/*`,
    `arn:${Aws.PARTITION}:identitystore:::user/*`,
    `arn:${Aws.PARTITION}:identitystore:::membership/*`,
  ];
  const membershipResources = Fn.conditionIf(hasSyncGroups.logicalId, Fn.split(',', Fn.join(',', [syncGroups.valueAsString, ...others])), others);
  const environment = Fn.conditionIf(inApplyEnvironment.logicalId, props.applyEnvironment, adminEnvironment.valueAsString).toString();

  const sync = new iam.CfnRole(scope, 'SyncRole', {
    roleName: PEOPLE_ROLES.sync,
    description: 'Groundwork people sync: pushes of the people file create users and change memberships of the groups without an administrator permission set',
    maxSessionDuration: 3600,
    assumeRolePolicyDocument: props.trust({ [`${GITHUB_OIDC_PROVIDER}:sub`]: props.defaultBranchSubject }),
    policies: [
      {
        policyName: 'sync-people',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'ReadPeopleAndCreateUsers', Effect: 'Allow', Action: [...READS, 'identitystore:CreateUser'], Resource: '*' },
            // Explicit, so that no policy attached later gives the unapproved sync a user's e-mail (a takeover).
            { Sid: 'NoUserUpdate', Effect: 'Deny', Action: 'identitystore:UpdateUser', Resource: '*' },
            props.noRoleChaining,
          ],
        },
      },
      {
        policyName: 'sync-group-memberships',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'MembershipsOfTheListedGroups',
              Effect: 'Allow',
              Action: ['identitystore:CreateGroupMembership', 'identitystore:DeleteGroupMembership'],
              // Both actions require the group as a resource (and the store, the user, the membership): with no group
              // listed, no group is allowed, so the statement grants nothing.
              Resource: membershipResources,
            },
          ],
        },
      },
    ],
  });

  const peopleAdmin = new iam.CfnRole(scope, 'PeopleAdminRole', {
    roleName: PEOPLE_ROLES.peopleAdmin,
    description: "Groundwork people admin: the approved job of the people sync adds to administrator groups and changes users' e-mails",
    maxSessionDuration: 3600,
    assumeRolePolicyDocument: props.trust({
      [`${GITHUB_OIDC_PROVIDER}:sub`]: props.environmentSubject(environment),
      [`${GITHUB_OIDC_PROVIDER}:ref`]: props.defaultRef,
    }),
    policies: [
      {
        policyName: 'administer-people',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PeopleAndEveryMembership',
              Effect: 'Allow',
              Action: [
                ...READS,
                'identitystore:CreateUser',
                'identitystore:UpdateUser',
                'identitystore:CreateGroupMembership',
                'identitystore:DeleteGroupMembership',
              ],
              Resource: '*',
            },
            props.noRoleChaining,
          ],
        },
      },
    ],
  });
  acknowledge(sync, peopleAdmin);
  Validations.of(sync).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${JSON.stringify(Stack.of(scope).resolve(membershipResources))}]`,
    reason:
      'the groups are the listed ARNs exactly; the wildcards are the identity store, user and membership that the two membership actions also require, and any user may join a listed group',
  });
  return { sync, peopleAdmin };
}

function acknowledge(sync: iam.CfnRole, peopleAdmin: iam.CfnRole): void {
  for (const role of [sync, peopleAdmin]) {
    for (const id of [
      'AwsSolutions-IAM5[Action::identitystore:Describe*]',
      'AwsSolutions-IAM5[Action::identitystore:List*]',
      'AwsSolutions-IAM5[Resource::*]',
    ]) {
      Validations.of(role).acknowledge({
        id,
        reason:
          "reads of the organization's one Identity Store, and user writes that support no narrower resource; neither role may delete users, touch permission sets or assume any role",
      });
    }
  }
}
