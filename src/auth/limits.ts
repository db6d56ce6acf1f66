/**
 * What Amazon Cognito allows, and Groundwork's defaults, for the values the `auth:` config sets. One table, used by the
 * config rules, the README and the template; durations are in minutes.
 */
export const COGNITO_LIMITS = {
  accessToken: { min: 5, max: 24 * 60, default: 12 * 60, label: 'access token', range: '5 minutes – 24 hours' },
  idToken: { min: 5, max: 24 * 60, default: 12 * 60, label: 'ID token', range: '5 minutes – 24 hours' },
  refreshToken: { min: 60, max: 3650 * 24 * 60, default: 30 * 24 * 60, label: 'refresh token', range: '60 minutes – 10 years (3650 days)' },
  managedLoginSession: { min: 3, max: 15, default: 15, label: 'managed-login session', range: '3 – 15 minutes' },
} as const;

/** Invitation codes (the temporary password of a created user): whole days. */
export const INVITATION_DAYS = { min: 1, max: 365, default: 7 } as const;

/** One-time sign-in codes of the custom authentication flow: Groundwork's own, so its own bound (7 days). */
export const SIGN_IN_CODE = { minMinutes: 1, maxMinutes: 7 * 24 * 60, defaultMinutes: 12 * 60 } as const;

/** The OAuth authorization code (code grant): fixed by Cognito, not configurable. */
export const OAUTH_CODE_MINUTES = 5;

/** Cognito's feature plans. */
export const FEATURE_PLANS = ['LITE', 'ESSENTIALS', 'PLUS'] as const;

/** MFA settings Groundwork offers (TOTP only: SMS needs an SNS origination setup per account). */
export const MFA_MODES = ['OFF', 'OPTIONAL', 'ON'] as const;

const UNITS: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/** `90m`, `12h` or `30d` in minutes; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** Minutes written the way people read them: 90 → "90 minutes", 720 → "12 hours", 43200 → "30 days". */
export function formatMinutes(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} day${minutes === 24 * 60 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
