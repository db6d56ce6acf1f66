/**
 * A small evaluator of resource policies (key policies, bucket policies) and SCPs, for the question the audit tests ask:
 * may a principal who holds administrator permissions in its own account make this call? moto enforces neither key
 * policies nor SCPs, so this is how the tests show who may change the log archive. It covers the statement forms and
 * condition operators Groundwork's policies use, and refuses anything else rather than guess.
 */

/** One call, as IAM sees it. */
export interface AccessRequest {
  /** `arn:aws:iam::ACCOUNT:role/PATH/NAME`, `arn:aws:iam::ACCOUNT:root` (the root user), or a service principal (`cloudtrail.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /**
   * True when the request is signed with the short-term credentials of a root session from `sts:AssumeRoot`
   * (centralized root access); only a root user (`arn:aws:iam::ACCOUNT:root`) has them. IAM then puts
   * `aws:AssumedRoot` (`true`) in the request context, and in no other request: "This key is included in the request
   * context only when the principal uses credentials from AssumeRoot to make the request"
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot).
   */
  readonly assumedRoot?: boolean;
  /**
   * Context keys beyond those that come from the credentials (`aws:PrincipalArn`, `aws:PrincipalAccount`,
   * `aws:AssumedRoot`: see `principal` and `assumedRoot`), e.g. `kms:ResourceAliases`. A key that comes from the
   * credentials is refused here, as AWS takes it from the signature and from nothing a caller sends.
   */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** A policy document with its intrinsic functions already resolved. */
export interface PolicyDocument {
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** What one policy says of a request: an explicit deny, an allow, or nothing. */
export type Decision = 'deny' | 'allow' | 'none';

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);
const glob = (pattern: string, value: string, caseless = false) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseless ? 'i' : '',
  ).test(value);

/** The account of an IAM principal ARN; undefined for a service principal. */
export function accountOf(principal: string): string | undefined {
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/** Keys IAM takes from the credentials that sign the request, never from what the caller sends. */
const CREDENTIAL_KEYS = ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:AssumedRoot'];

function contextOf(request: AccessRequest): Record<string, string | readonly string[]> {
  const given = Object.keys(request.context ?? {}).find((key) => CREDENTIAL_KEYS.some((k) => k.toLowerCase() === key.toLowerCase()));
  if (given) throw new Error(`context key ${given} comes from the credentials that sign the request, not from the caller: set principal or assumedRoot`);
  const account = accountOf(request.principal);
  if (request.assumedRoot && !/^arn:aws[\w-]*:iam::\d{12}:root$/.test(request.principal)) {
    throw new Error(`only a root user has sessions from sts:AssumeRoot, not ${request.principal}`);
  }
  return {
    ...(account ? { 'aws:PrincipalArn': request.principal, 'aws:PrincipalAccount': account } : {}),
    ...(request.assumedRoot ? { 'aws:AssumedRoot': 'true' } : {}),
    ...request.context,
  };
}

function principalMatches(principal: PolicyStatement['Principal'], request: AccessRequest): boolean {
  if (principal === undefined) return true; // an SCP or identity policy: it applies to whoever it is attached to
  if (principal === '*') return true;
  const account = accountOf(request.principal);
  for (const [kind, values] of Object.entries(principal)) {
    for (const value of list(values)) {
      if (kind === 'Service' && value === request.principal) return true;
      if (kind !== 'AWS') continue;
      if (value === '*') return true;
      if (account && (value === account || value.endsWith(`:iam::${account}:root`))) return true;
      if (value === request.principal) return true;
    }
  }
  return false;
}

const MATCHERS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringLike: (p, v) => glob(p, v),
  ArnEquals: (p, v) => p === v,
  ArnLike: (p, v) => glob(p, v),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
};

function conditionHolds(operator: string, key: string, expected: readonly string[], context: Record<string, string | readonly string[]>): boolean {
  if (operator === 'Null') {
    // `Null: { key: "true" }` holds when the request context lacks the key, `"false"` when it has it.
    const [wanted, ...more] = expected.map((v) => v.toLowerCase());
    if (more.length > 0 || (wanted !== 'true' && wanted !== 'false'))
      throw new Error(`Null condition on ${key} takes "true" or "false", not ${expected.join(', ')}`);
    return (context[key] === undefined) === (wanted === 'true');
  }
  const [set, full] = operator.includes(':') ? (operator.split(':') as [string, string]) : [undefined, operator];
  // `…IfExists`: the condition holds when the request context lacks the key, and is checked as usual when it has it.
  const ifExists = full.endsWith('IfExists');
  const op = ifExists ? full.slice(0, -'IfExists'.length) : full;
  const negated = /^(String|Arn)Not/.test(op);
  const match = MATCHERS[op.replace(/^(String|Arn)Not/, '$1')];
  if (!match || (ifExists && set) || (set && set !== 'ForAnyValue' && set !== 'ForAllValues')) {
    throw new Error(`unsupported condition operator ${operator}`);
  }
  const actual = context[key];
  if (actual === undefined) return ifExists || negated || set === 'ForAllValues';
  if (Array.isArray(actual) && !set) throw new Error(`context key ${key} has several values: use ForAnyValue or ForAllValues`);
  const matches = (value: string) => expected.some((pattern) => match(pattern, value));
  const values = list(actual as string | readonly string[]);
  const result = set === 'ForAllValues' ? values.every(matches) : values.some(matches);
  return negated ? !result : result;
}

/** What `policy` decides for `request`: an explicit deny wins over an allow. */
export function evaluatePolicy(policy: PolicyDocument, request: AccessRequest): Decision {
  const context = contextOf(request);
  let decision: Decision = 'none';
  for (const statement of list(policy.Statement)) {
    const unsupported = ['NotAction', 'NotResource', 'NotPrincipal'].find((k) => k in statement);
    if (unsupported) throw new Error(`statement ${statement.Sid ?? ''} uses ${unsupported}, which this evaluator does not cover`);
    const applies =
      principalMatches(statement.Principal, request) &&
      list(statement.Action).some((a) => glob(a, request.action, true)) &&
      list(statement.Resource).some((r) => glob(r, request.resource)) &&
      Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), context)),
      );
    if (!applies) continue;
    if (statement.Effect === 'Deny') return 'deny';
    decision = 'allow';
  }
  return decision;
}

/** Where the resource is and what guards it. */
export interface ResourceGuard {
  /** The account that owns the resource. */
  readonly account: string;
  /** Its resource policy (key policy, bucket policy), if it has one. */
  readonly policy?: PolicyDocument;
  /** True for KMS keys: the key policy itself must allow, if only by naming the principal's account (IAM then may grant). */
  readonly policyMustAllow?: boolean;
  /** The SCPs in force on member accounts. */
  readonly scps: readonly PolicyDocument[];
  /** The management account, which no SCP binds. */
  readonly managementAccount: string;
}

/**
 * Whether a principal that holds administrator permissions (`*` on `*`) in its own account may make the call: no SCP
 * on its account denies it (the management account and service principals are bound by none), the resource policy
 * denies it not, and the resource policy allows it where it must (KMS keys, and any call from another account).
 */
export function administratorMay(request: AccessRequest, guard: ResourceGuard): boolean {
  const account = accountOf(request.principal);
  if (account && account !== guard.managementAccount && guard.scps.some((scp) => evaluatePolicy(scp, request) === 'deny')) return false;
  const decision = guard.policy ? evaluatePolicy(guard.policy, request) : 'none';
  if (decision === 'deny') return false;
  if (account === guard.account && !guard.policyMustAllow) return true;
  return decision === 'allow';
}
