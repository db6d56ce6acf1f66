/**
 * DefineAuthChallenge of an auth pool, inlined into the auth template: the challenge sequence of a code sign-in. It
 * reads nothing about the user, so a known and an unknown one (Cognito's `userNotFound`) go through the same steps.
 */
import { type ChallengeStep, defineChallenge } from '../../auth/sign-in-code.js';

interface DefineEvent {
  request: { session?: ChallengeStep[] };
  response: Record<string, unknown>;
}

export async function handler(event: DefineEvent): Promise<DefineEvent> {
  Object.assign(event.response, defineChallenge(event.request.session ?? [], process.env.MFA ?? ''));
  return event;
}
