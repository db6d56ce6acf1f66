import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
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
    const importRoleName = p('ImportRoleName', {
      type: 'String',
      default: 'groundwork-auth-import',
      description: 'Name of the role user import jobs log with.',
    });

    const rotate = new CfnCondition(this, 'Rotate', { expression: Fn.conditionEquals(rotation.valueAsString, 'true') });
    const hasSender = new CfnCondition(this, 'HasSender', { expression: Fn.conditionNot(Fn.conditionEquals(sender.valueAsString, '')) });
    const mfaOn = new CfnCondition(this, 'MfaOn', { expression: Fn.conditionNot(Fn.conditionEquals(mfa.valueAsString, 'OFF')) });
    const protect = new CfnCondition(this, 'Protect', { expression: Fn.conditionEquals(protection.valueAsString, 'true') });

    // The sign-in codes: their table (hash, expiry as TTL, rate window), and the three triggers in one inline function.
    const table = new dynamodb.CfnTable(this, 'SignInCodes', {
      // codeTableName(environment), which `groundwork auth code` writes to.
      tableName: Fn.sub('groundwork-${Env}-sign-in-codes', { Env: environment.valueAsString }),
      billingMode: 'PAY_PER_REQUEST',
      keySchema: [{ attributeName: 'username', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'username', attributeType: 'S' }],
      timeToLiveSpecification: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { sseEnabled: true },
    });
    const triggerLogs = new logs.CfnLogGroup(this, 'SignInCodeLogs', { retentionInDays: 90 });
    const triggerRole = new iam.CfnRole(this, 'SignInCodeRole', {
      description: 'The sign-in code triggers: their table, their log group, and SES for the configured sender only',
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
              {
                Sid: 'TheCodeTable',
                Effect: 'Allow',
                Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
                Resource: table.attrArn,
              },
              { Sid: 'ItsLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: Fn.join('', [triggerLogs.attrArn, ':*']) },
              Fn.conditionIf(
                hasSender.logicalId,
                {
                  Sid: 'EmailCodesFromTheSender',
                  Effect: 'Allow',
                  Action: 'ses:SendEmail',
                  Resource: Fn.sub('arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*'),
                  Condition: { StringEquals: { 'ses:FromAddress': sender.valueAsString } },
                },
                Aws.NO_VALUE,
              ),
            ],
          },
        },
      ],
    });
    Validations.of(triggerRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<SignInCodeLogs.Arn>:*]',
      reason: 'log streams of the function’s own log group are named per instance',
    });
    Validations.of(triggerRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason: 'the sender may be verified as an address or as its domain; ses:FromAddress limits sending to the configured address',
    });
    const code = inlineHandler('sign-in-code');
    const triggers = new lambda.CfnFunction(this, 'SignInCodeTriggers', {
      description: 'One-time sign-in codes: DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse',
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      code: { zipFile: code },
      role: triggerRole.attrArn,
      timeout: 10,
      memorySize: 256,
      loggingConfig: { logGroup: triggerLogs.ref, logFormat: 'JSON' },
      environment: {
        variables: {
          TABLE_NAME: table.ref,
          CODE_MINUTES: codeMinutes.valueAsString,
          CODES_PER_HOUR: perHour.valueAsString,
          CODE_SENDER: sender.valueAsString,
        },
      },
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
        defineAuthChallenge: triggers.attrArn,
        createAuthChallenge: triggers.attrArn,
        verifyAuthChallengeResponse: triggers.attrArn,
      },
    });
    new lambda.CfnPermission(this, 'CognitoInvokesTriggers', {
      action: 'lambda:InvokeFunction',
      functionName: triggers.attrArn,
      principal: 'cognito-idp.amazonaws.com',
      sourceArn: pool.attrArn,
      sourceAccount: Aws.ACCOUNT_ID,
    });
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
    new CfnOutput(this, 'SignInCodeTable', { value: table.ref });
  }
}
