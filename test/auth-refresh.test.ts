import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { spaClientInput, userPoolInput } from '../src/auth/pool-spec.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const claims = (jwt: string | undefined) => JSON.parse(Buffer.from((jwt ?? '').split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * A session renewed with its refresh token, against the emulator: REFRESH_TOKEN_AUTH with rotation off, because moto has
 * no GetTokensFromRefreshToken (with rotation on, the SPA renews through that call). moto does not enforce validities,
 * so what this shows is the flow: new access and ID tokens for the same user, with no password.
 */
describe('a session renewed with its refresh token (rotation off), against the emulator', () => {
  it('gets new access and ID tokens for the same user from the refresh token alone', async () => {
    const cognito = sandbox.emulator.clients('us-east-1').create(CognitoIdentityProviderClient);
    const { UserPool } = await cognito.send(
      new CreateUserPoolCommand(userPoolInput({ environment: 'refresh', invitationDays: 7, mfa: 'OFF', deletionProtection: false, featurePlan: 'ESSENTIALS' })),
    );
    const poolId = UserPool?.Id as string;
    const spa = spaClientInput(poolId, {
      accessTokenMinutes: 60,
      idTokenMinutes: 60,
      refreshTokenMinutes: 30 * 24 * 60,
      refreshTokenRotation: false,
      managedLoginSessionMinutes: 15,
      callbackUrls: [],
      logoutUrls: [],
    });
    expect(spa.ExplicitAuthFlows).toContain('ALLOW_REFRESH_TOKEN_AUTH');
    // The test signs in with a password through the admin flow, which the SPA client itself does not allow.
    const { UserPoolClient } = await cognito.send(
      new CreateUserPoolClientCommand({ ...spa, ExplicitAuthFlows: [...(spa.ExplicitAuthFlows ?? []), 'ALLOW_ADMIN_USER_PASSWORD_AUTH'] }),
    );
    const clientId = UserPoolClient?.ClientId as string;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'sample.ada@example.com', MessageAction: 'SUPPRESS' }));
    await cognito.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'sample.ada@example.com', Password: 'Sample-Passw0rd!', Permanent: true }),
    );
    const signIn = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'sample.ada@example.com', PASSWORD: 'Sample-Passw0rd!' },
      }),
    );
    const first = signIn.AuthenticationResult;
    expect(first?.RefreshToken).toBeTruthy();
    const renewed = await cognito.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first?.RefreshToken as string } }),
    );
    const second = renewed.AuthenticationResult;
    expect(second?.AccessToken).toBeTruthy();
    expect(second?.AccessToken).not.toBe(first?.AccessToken);
    expect(claims(second?.AccessToken).sub).toBe(claims(first?.AccessToken).sub);
    expect(claims(second?.IdToken).sub).toBe(claims(first?.IdToken).sub);
  });
});
