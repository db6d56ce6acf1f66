/** The console API's answers, as the page uses them (the server's types live in src/console/server). */

export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** An API failure with the server's code, message and hint. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

/** The header every write carries (the server refuses writes without it: CSRF). */
const WRITE_HEADERS = { 'content-type': 'application/json', 'x-groundwork-console': '1' };

async function answer<T>(response: Response): Promise<T> {
  const body = (response.status === 204 ? undefined : await response.json().catch(() => undefined)) as { error?: ApiError } | undefined;
  if (!response.ok) {
    throw new ConsoleApiError(response.status, body?.error ?? { code: 'HTTP', message: `the server answered ${response.status}` });
  }
  return body as T;
}

/**
 * Trades the token of the printed URL (`?token=`) for the console's session cookie (HttpOnly: no script here can read
 * it), then takes the token out of the address bar and the history, whether or not the server took it. Resolves with
 * the refusal, if any, so the page can say why nothing loads.
 */
export async function signIn(): Promise<ConsoleApiError | undefined> {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return undefined;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  try {
    await answer<unknown>(await fetch('/api/login', { method: 'POST', headers: WRITE_HEADERS, body: JSON.stringify({ token }) }));
    return undefined;
  } catch (error) {
    return error instanceof ConsoleApiError ? error : new ConsoleApiError(0, { code: 'NETWORK', message: (error as Error).message });
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(path, { signal, headers: { accept: 'application/json' } }));
}

export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return answer<T>(await fetch(path, { method, headers: WRITE_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

// The API's answers, typed by the very types the server returns (type-only imports: nothing of the server reaches the page).
import type { AuditEvent as ServerAuditEvent } from '../../../audit/audit-event.js';
import type { AuditPage as ServerAuditPage } from '../../../audit/search.js';
import type { CostBreakdown as ServerBreakdown, CostHistory as ServerHistory, CostOverview as ServerOverview } from '../../../cost/cost-report.js';
import type { Delivery as ServerDelivery } from '../../../delivery/deliveries.js';
import type { OrganizationStatus as ServerStatus } from '../../../foundation/organization-status.js';
import type { ImportSummary as ServerImportSummary } from '../../../identity/people/import-users.js';
import type { UserAccess as ServerUserAccess } from '../../../identity/people/list-users.js';
import type { SecurityPosture as ServerSecurityPosture } from '../../../security/security-posture.js';
import type { GroupView as ServerGroupView } from '../../server/app.js';

/** Every kept or cached answer says when it was read. */
type Dated<T> = T & { readonly asOf: string };

export type OrganizationStatus = Dated<ServerStatus> & {
  /** The Identity Center user viewing the page, whose shortcuts these are; null: every shortcut the config defines. */
  readonly viewer: string | null;
};
export type AccountStatus = ServerStatus['accounts'][number];
export type CostOverview = Dated<ServerOverview>;
export type EnvironmentCost = ServerOverview['environments'][number];
export type CostBreakdown = Dated<ServerBreakdown>;
export type CostHistory = Dated<ServerHistory>;
export type AuditEvent = ServerAuditEvent;
export type AuditPage = ServerAuditPage;
export type UserAccess = ServerUserAccess;
export type GroupView = ServerGroupView;
export type ImportSummary = ServerImportSummary;
export type Delivery = ServerDelivery;
export type SecurityPosture = ServerSecurityPosture & { readonly target: 'sandbox' | 'aws' };
export type AccountSecurity = ServerSecurityPosture['accounts'][number];

export interface ConsoleSession {
  readonly target: 'sandbox' | 'aws';
  readonly caller: string;
}
