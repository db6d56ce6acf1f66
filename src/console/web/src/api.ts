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
  const body = (await response.json().catch(() => undefined)) as { error?: ApiError } | undefined;
  if (!response.ok) {
    throw new ConsoleApiError(response.status, body?.error ?? { code: 'HTTP', message: `the server answered ${response.status}` });
  }
  return body as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(path, { signal, headers: { accept: 'application/json' } }));
}

export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return answer<T>(await fetch(path, { method, headers: WRITE_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

export interface Money {
  readonly cents: number;
  readonly amount: string;
}

export interface AccountStatus {
  readonly name: string;
  readonly id: string | null;
  readonly organizationalUnit: string;
  readonly environment: string | null;
  readonly status: string;
  readonly managed: boolean;
  readonly inConfig: boolean;
  readonly scpsApply: boolean;
  readonly guardrails: readonly string[];
}

export interface OrganizationStatus {
  readonly organizationId: string | null;
  readonly managementAccountId: string | null;
  readonly accounts: readonly AccountStatus[];
  readonly portal: string | null;
  readonly shortcuts: readonly { account: string; permissionSet: string; url: string }[];
  readonly notCreated: readonly string[];
  /** The Identity Center user viewing the page, whose shortcuts these are; null: every shortcut the config defines. */
  readonly viewer: string | null;
  readonly asOf: string;
}

export interface EnvironmentCost {
  readonly environment: string;
  readonly accountIds: readonly string[];
  readonly monthToDate: Money;
  readonly forecastMonthEnd?: Money & { readonly low: Money; readonly high: Money };
  readonly forecastUnavailable?: string;
  readonly lastMonth: Money;
  readonly budgetUsd?: number;
  readonly percentOfBudget?: number;
}

export interface CostOverview {
  readonly month: string;
  readonly dataThrough: string;
  readonly currency: string;
  readonly sample: boolean;
  readonly environments: readonly EnvironmentCost[];
  readonly asOf: string;
}

export interface BreakdownItem extends Money {
  readonly service?: string;
  readonly usageType?: string;
  readonly date?: string;
  readonly usageQuantity?: string;
  readonly usageUnit?: string;
}

export interface CostBreakdown {
  readonly month: string;
  readonly by: 'service' | 'usage-type' | 'day';
  readonly currency: string;
  readonly sample: boolean;
  readonly environments: readonly { environment: string; total: Money; items: readonly BreakdownItem[] }[];
  readonly asOf: string;
}

export interface CostHistory {
  readonly currency: string;
  readonly sample: boolean;
  readonly dataThrough: string;
  readonly months: readonly { month: string; environments: Readonly<Record<string, Money>> }[];
  readonly asOf: string;
}

export interface AuditEvent {
  readonly time: string;
  readonly accountId: string;
  readonly environment: string;
  readonly principal: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly eventId: string;
  readonly sample: boolean;
  readonly raw: unknown;
}

export interface AuditPage {
  readonly events: readonly AuditEvent[];
  readonly nextCursor?: string;
  readonly source: string;
}

export interface UserAccess {
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly groups: readonly string[];
  readonly access: Readonly<Record<string, readonly string[]>>;
}

export interface GroupView {
  readonly name: string;
  readonly memberCount: number;
  readonly members: readonly string[];
  readonly access: Readonly<Record<string, readonly string[]>>;
}

export interface ImportSummary {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: readonly { line: number; errors: readonly string[] }[];
}

export interface DeliveredRevision {
  readonly taskDefinition: string;
  readonly image: string;
  readonly digest: string | null;
  readonly revision: string | null;
  readonly runUrl: string | null;
}

export interface Delivery {
  readonly environment: string;
  readonly accountId: string;
  readonly cluster: string;
  readonly service: string;
  readonly state: 'running' | 'not-deployed';
  readonly current: (DeliveredRevision & { since: string | null; runningCount: number; desiredCount: number }) | null;
  readonly deployments: readonly {
    id: string;
    engine: 'ecs' | 'codedeploy';
    status: string;
    startedAt: string | null;
    finishedAt: string | null;
    reason: string | null;
    rolledBack: boolean;
    delivered: DeliveredRevision | null;
  }[];
  readonly notes: readonly string[];
}

export interface ConsoleSession {
  readonly target: 'sandbox' | 'aws';
  readonly caller: string;
}
