import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { COGNITO_LIMITS, INVITATION_DAYS, SIGN_IN_CODE } from '../../auth/limits.js';
import { RESOURCE_SERVER, spaClientInput, userPoolInput } from '../../auth/pool-spec.js';
import { inlineHandler } from '../bundle-handler.js';

/** `{ PoolName: x, Policies: { PasswordPolicy: … } }` → `{ poolName: x, policies: { passwordPolicy: … } }`: API shapes as CDK L1 props. */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== 'object' || Token.isUnresolved(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), camel(v)]));
}

/** What the sign-in code triggers are built from: parameter values of the auth template. */
interface TriggerProps {
  readonly environment: string;
  readonly codeMinutes: string;
  readonly perHour: string;
  readonly sender: string;
  readonly hasSender: CfnCondition;
  readonly mfa: string;
  readonly issuerRoleName: string;
}

/** A trigger's role: its own statements, and its streams in the triggers' log group. */
function triggerRole(scope: Construct, id: string, description: string, logs: logs.CfnLogGroup, statements: unknown[]): iam.CfnRole {
  const role = new iam.CfnRole(scope, id, {
    description,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [
      {
        policyName: 'sign-in-codes',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            ...statements,
            { Sid: 'ItsLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: Fn.join('', [logs.attrArn, ':*']) },
          ],
        },
      },
    ],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::<SignInCodeLogs.Arn>:*]',
    reason: 'log streams of the triggers’ own log group are named per instance',
  });
  return role;
}

/**
 * The sign-in codes: their table (keyed by the user's `sub`; the code's MAC, expiry as TTL, rate window, answers), the
 * KMS HMAC key the codes are MACed with (only the create and verify triggers and the issuer role may use it), and the
 * three triggers, each inlined as its own function with its own role.
 */
function signInCodeTriggers(scope: Construct, props: TriggerProps) {
  const table = new dynamodb.CfnTable(scope, 'SignInCodes', {
    // codeTableName(environment), which `groundwork auth code` writes to; a new name because the key changed (sub).
    tableName: Fn.sub('groundwork-${Env}-sign-in-codes-v2', { Env: props.environment }),
    billingMode: 'PAY_PER_REQUEST',
    keySchema: [{ attributeName: 'sub', keyType: 'HASH' }],
    attributeDefinitions: [{ attributeName: 'sub', attributeType: 'S' }],
    timeToLiveSpecification: { attributeName: 'expiresAt', enabled: true },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    sseSpecification: { sseEnabled: true },
  });
  const triggerLogs = new logs.CfnLogGroup(scope, 'SignInCodeLogs', { retentionInDays: 90 });
  const onTable = (sid: string, actions: string[]) => ({ Sid: sid, Effect: 'Allow', Action: actions.map((a) => `dynamodb:${a}`), Resource: table.attrArn });
  const defineRole = triggerRole(scope, 'SignInCodeDefineRole', 'DefineAuthChallenge of the sign-in codes: its log group only', triggerLogs, []);
  const createRole = triggerRole(scope, 'SignInCodeCreateRole', 'CreateAuthChallenge: read and write codes, SES for the configured sender only', triggerLogs, [
    onTable('TheCodeTable', ['GetItem', 'PutItem']),
    Fn.conditionIf(
      props.hasSender.logicalId,
      {
        Sid: 'EmailCodesFromTheSender',
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: Fn.sub('arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*'),
        Condition: { StringEquals: { 'ses:FromAddress': props.sender } },
      },
      Aws.NO_VALUE,
    ),
  ]);
  Validations.of(createRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
    reason: 'the sender may be verified as an address or as its domain; ses:FromAddress limits sending to the configured address',
  });
  const verifyRole = triggerRole(scope, 'SignInCodeVerifyRole', 'VerifyAuthChallengeResponse: read codes, claim answers, consume codes', triggerLogs, [
    onTable('TheCodeTable', ['GetItem', 'UpdateItem']),
  ]);
  const root = Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root');
  const key = new kms.CfnKey(scope, 'SignInCodeKey', {
    description: 'HMAC key of the sign-in codes: the table holds only MACs under it, which no reader of the table can recompute',
    keySpec: 'HMAC_256',
    keyUsage: 'GENERATE_VERIFY_MAC',
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministersButDoesNotUse',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: [
            'kms:Describe*',
            'kms:Get*',
            'kms:List*',
            'kms:Enable*',
            'kms:Disable*',
            'kms:Put*',
            'kms:Update*',
            'kms:Revoke*',
            // CloudFormation names the key by its alias; no CreateGrant, which would hand the key's use to others.
            'kms:CreateAlias',
            'kms:DeleteAlias',
            'kms:TagResource',
            'kms:UntagResource',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
          ],
          Resource: '*',
        },
        // Named directly, so the triggers need no IAM grant (and the roles no reference to the key).
        { Sid: 'TheTriggersMac', Effect: 'Allow', Principal: { AWS: [createRole.attrArn, verifyRole.attrArn] }, Action: 'kms:GenerateMac', Resource: '*' },
        {
          Sid: 'TheIssuerRoleMacs',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: 'kms:GenerateMac',
          Resource: '*',
          Condition: { ArnEquals: { 'aws:PrincipalArn': Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}', { Name: props.issuerRoleName }) } },
        },
      ],
    },
  });
  // codeKeyAlias(environment), by which `groundwork auth code` finds the key.
  new kms.CfnAlias(scope, 'SignInCodeKeyAlias', {
    aliasName: Fn.sub('alias/groundwork-${Env}-sign-in-codes', { Env: props.environment }),
    targetKeyId: key.ref,
  });
  const fn = (id: string, role: iam.CfnRole, description: string, handlerName: string, variables: Record<string, string>) =>
    new lambda.CfnFunction(scope, id, {
      description,
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      code: { zipFile: inlineHandler(handlerName) },
      role: role.attrArn,
      timeout: 10,
      memorySize: 256,
      loggingConfig: { logGroup: triggerLogs.ref, logFormat: 'JSON' },
      environment: { variables },
    });
  const codes = { TABLE_NAME: table.ref, CODE_KEY_ID: key.attrArn };
  return {
    table,
    key,
    define: fn('SignInCodeDefine', defineRole, 'Sign-in codes: DefineAuthChallenge', 'sign-in-code-define', { MFA: props.mfa }),
    create: fn('SignInCodeCreate', createRole, 'Sign-in codes: CreateAuthChallenge', 'sign-in-code-create', {
      ...codes,
      CODE_MINUTES: props.codeMinutes,
      CODES_PER_HOUR: props.perHour,
      CODE_SENDER: props.sender,
    }),
    verify: fn('SignInCodeVerify', verifyRole, 'Sign-in codes: VerifyAuthChallengeResponse', 'sign-in-code-verify', codes),
  };
}

/**
 * An environment's auth service as a generic StackSet-ready template: the Cognito user pool (e-mail sign-in, strong
 * passwords, invitation codes valid `InvitationDays`, TOTP MFA, recovery by e-mail, deletion protection, the feature
 * plan), the managed-login domain, the backend's resource server, the public SPA client (code grant with PKCE, no
 * secret, validities in minutes, rotation, revocation, no user-existence errors), the one-time sign-in code triggers
 * with their own table, and the role Cognito user import jobs log with. Pool and client are built by the same
 * functions (`src/auth/pool-spec.ts`) the sandbox uses, with parameters in place of values.
 */
export class AuthStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const p = (name: string, options: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(this, name, options);
    const environment = p('EnvironmentName', {
      type: 'String',
      description: 'Environment name: the pool is groundwork-<name>.',
      allowedPattern: '^[a-z0-9-]{1,20}$',
    });
    const minutes = (name: string, limits: { min: number; max: number; default: number; label: string }) =>
      p(name, {
        type: 'Number',
        default: limits.default,
        minValue: limits.min,
        maxValue: limits.max,
        description: `Lifetime of the ${limits.label}, in minutes.`,
      });
    const access = minutes('AccessTokenMinutes', COGNITO_LIMITS.accessToken);
    const idToken = minutes('IdTokenMinutes', COGNITO_LIMITS.idToken);
    const refresh = minutes('RefreshTokenMinutes', COGNITO_LIMITS.refreshToken);
    const session = minutes('ManagedLoginSessionMinutes', COGNITO_LIMITS.managedLoginSession);
    const rotation = p('RefreshTokenRotation', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'A new refresh token on every refresh.',
    });
    const invitationDays = p('InvitationDays', {
      type: 'Number',
      default: INVITATION_DAYS.default,
      minValue: INVITATION_DAYS.min,
      maxValue: INVITATION_DAYS.max,
      description: 'Days the invitation code (temporary password) of a created user is valid.',
    });
    const codeMinutes = p('SignInCodeMinutes', {
      type: 'Number',
      default: SIGN_IN_CODE.defaultMinutes,
      minValue: SIGN_IN_CODE.minMinutes,
      maxValue: SIGN_IN_CODE.maxMinutes,
      description: 'Lifetime of one-time sign-in codes, in minutes (at most 7 days).',
    });
    const perHour = p('SignInCodesPerHour', { type: 'Number', default: 5, minValue: 1, maxValue: 60, description: 'Sign-in codes one user may get per hour.' });
    const sender = p('CodeSender', {
      type: 'String',
      default: '',
      description: 'SES-verified address that e-mails sign-in codes; empty: codes come from an administrator only.',
    });
    const callbacks = p('CallbackUrls', {
      type: 'CommaDelimitedList',
      description: 'Where the SPA may receive authorization codes (https, or http://localhost).',
    });
    const logouts = p('LogoutUrls', { type: 'CommaDelimitedList', description: 'Where the SPA may return after sign-out.' });
    const plan = p('FeaturePlan', {
      type: 'String',
      default: 'ESSENTIALS',
      allowedValues: ['LITE', 'ESSENTIALS', 'PLUS'],
      description: 'Cognito feature plan.',
    });
    const mfa = p('Mfa', {
      type: 'String',
      default: 'OPTIONAL',
      allowedValues: ['OFF', 'OPTIONAL', 'ON'],
      description: 'MFA with an authenticator app (TOTP).',
    });
    const protection = p('DeletionProtection', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'Refuse to delete the pool (keep it on in prod).',
    });
    const domainPrefix = p('DomainPrefix', {
      type: 'String',
      description: 'Prefix of the managed-login domain, unique in the region: https://<prefix>.auth.<region>.amazoncognito.com.',
      allowedPattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$',
    });
    const issuerRoleName = p('CodeIssuerRoleName', {
      type: 'String',
      default: 'OrganizationAccountAccessRole',
      allowedPattern: '^[\\w+=,.@-]{1,64}$',
      description: 'Role of this account that may MAC sign-in codes besides the triggers: the one groundwork auth code works through.',
    });
    const importRoleName = p('ImportRoleName', {
      type: 'String',
      default: 'groundwork-auth-import',
      description: 'Name of the role user import jobs log with.',
    });

    const rotate = new CfnCondition(this, 'Rotate', { expression: Fn.conditionEquals(rotation.valueAsString, 'true') });
    const hasSender = new CfnCondition(this, 'HasSender', { expression: Fn.conditionNot(Fn.conditionEquals(sender.valueAsString, '')) });
    const mfaOn = new CfnCondition(this, 'MfaOn', { expression: Fn.conditionNot(Fn.conditionEquals(mfa.valueAsString, 'OFF')) });
    const protect = new CfnCondition(this, 'Protect', { expression: Fn.conditionEquals(protection.valueAsString, 'true') });

    const triggers = signInCodeTriggers(this, {
      environment: environment.valueAsString,
      codeMinutes: codeMinutes.valueAsString,
      perHour: perHour.valueAsString,
      sender: sender.valueAsString,
      hasSender,
      mfa: mfa.valueAsString,
      issuerRoleName: issuerRoleName.valueAsString,
    });

    // The pool and its client, from the same functions as the sandbox; parameters where the values go.
    const poolSpec = userPoolInput({
      environment: environment.valueAsString,
      invitationDays: invitationDays.valueAsNumber,
      mfa: 'OPTIONAL',
      deletionProtection: true,
      featurePlan: 'ESSENTIALS',
    });
    const { poolName: _name, ...poolProps } = camel(poolSpec) as { poolName: string } & cognito.CfnUserPoolProps;
    const pool = new cognito.CfnUserPool(this, 'UserPool', {
      ...poolProps,
      userPoolName: Fn.sub('groundwork-${Env}', { Env: environment.valueAsString }),
      mfaConfiguration: mfa.valueAsString,
      enabledMfas: Fn.conditionIf(mfaOn.logicalId, ['SOFTWARE_TOKEN_MFA'], Aws.NO_VALUE) as unknown as string[],
      deletionProtection: Fn.conditionIf(protect.logicalId, 'ACTIVE', 'INACTIVE').toString(),
      userPoolTier: plan.valueAsString,
      lambdaConfig: {
        defineAuthChallenge: triggers.define.attrArn,
        createAuthChallenge: triggers.create.attrArn,
        verifyAuthChallengeResponse: triggers.verify.attrArn,
      },
    });
    for (const [id, fn] of Object.entries({ Define: triggers.define, Create: triggers.create, Verify: triggers.verify })) {
      new lambda.CfnPermission(this, `CognitoInvokes${id}`, {
        action: 'lambda:InvokeFunction',
        functionName: fn.attrArn,
        principal: 'cognito-idp.amazonaws.com',
        sourceArn: pool.attrArn,
        sourceAccount: Aws.ACCOUNT_ID,
      });
    }
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA is a parameter (Mfa, default OPTIONAL with TOTP): an environment requires it with Mfa=ON',
    });
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'the feature plan is the FeaturePlan parameter (default ESSENTIALS; PLUS adds threat protection), which cdk-nag cannot read',
    });
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason: 'advanced security mode is superseded by the feature plans: threat protection comes with FeaturePlan=PLUS',
    });
    const server = new cognito.CfnUserPoolResourceServer(this, 'BackendApi', {
      userPoolId: pool.ref,
      identifier: RESOURCE_SERVER.Identifier,
      name: RESOURCE_SERVER.Name,
      scopes: RESOURCE_SERVER.Scopes.map((s) => ({ scopeName: s.ScopeName, scopeDescription: s.ScopeDescription })),
    });
    const clientSpec = spaClientInput(pool.ref, {
      accessTokenMinutes: access.valueAsNumber,
      idTokenMinutes: idToken.valueAsNumber,
      refreshTokenMinutes: refresh.valueAsNumber,
      refreshTokenRotation: true,
      managedLoginSessionMinutes: session.valueAsNumber,
      callbackUrls: callbacks.valueAsList,
      logoutUrls: logouts.valueAsList,
    });
    const { callbackURLs, logoutURLs, ...clientProps } = camel(clientSpec) as cognito.CfnUserPoolClientProps & { callbackURLs: string[]; logoutURLs: string[] };
    const client = new cognito.CfnUserPoolClient(this, 'SpaClient', {
      ...clientProps,
      // CDK spells these two properties callbackUrLs and logoutUrLs.
      callbackUrLs: callbackURLs,
      logoutUrLs: logoutURLs,
      // Rotation decides the shape: with it, sessions renew through GetTokensFromRefreshToken; without, REFRESH_TOKEN_AUTH.
      explicitAuthFlows: Fn.conditionIf(
        rotate.logicalId,
        ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'],
        ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      ) as unknown as string[],
      refreshTokenRotation: { feature: Fn.conditionIf(rotate.logicalId, 'ENABLED', 'DISABLED').toString(), retryGracePeriodSeconds: 10 },
    });
    client.addResourceDependency(server);
    const domain = new cognito.CfnUserPoolDomain(this, 'Domain', { userPoolId: pool.ref, domain: domainPrefix.valueAsString, managedLoginVersion: 2 });
    new cognito.CfnManagedLoginBranding(this, 'Branding', { userPoolId: pool.ref, clientId: client.ref, useCognitoProvidedValues: true }).addResourceDependency(
      domain,
    );

    // The role Cognito user import jobs write their CloudWatch Logs with, and nothing else.
    const importRole = new iam.CfnRole(this, 'ImportRole', {
      roleName: importRoleName.valueAsString,
      description: 'Cognito user import jobs of this account log their results',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cognito-idp.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
      policies: [
        {
          policyName: 'import-logs',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'CognitoLogGroupsOnly',
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
                Resource: Fn.sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/cognito/*'),
              },
            ],
          },
        },
      ],
    });
    Validations.of(importRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/cognito/*]',
      reason: 'import jobs create their own log groups under /aws/cognito/, named per pool and job',
    });

    new CfnOutput(this, 'UserPoolId', { value: pool.ref });
    new CfnOutput(this, 'SpaClientId', { value: client.ref });
    new CfnOutput(this, 'ManagedLoginUrl', { value: Fn.sub('https://${Prefix}.auth.${AWS::Region}.amazoncognito.com', { Prefix: domain.ref }) });
    new CfnOutput(this, 'ImportRoleArn', { value: importRole.attrArn });
    new CfnOutput(this, 'SignInCodeTable', { value: triggers.table.ref });
    new CfnOutput(this, 'SignInCodeKeyArn', { value: triggers.key.attrArn });
  }
}
