import { evaluatePolicy } from '../org/policy-evaluation.js';
import { GITHUB_OIDC_PROVIDER } from './oidc.js';

/**
 * A small evaluator of IAM trust policies for GitHub OIDC tokens, over synthesized CloudFormation: intrinsic functions
 * are resolved with given parameters, then StringEquals/StringLike conditions are matched against the token's claims.
 * moto never checks trust, so this is how the tests check who may assume a role. It covers the operators Groundwork's
 * templates use and refuses anything else rather than guess. The same resolution lets {@link roleMayCall} read a role's
 * own (identity) policies and {@link roleTrustsPrincipal} read which roles may assume a role.
 */

/** Parameter values and pseudo parameters for resolving a template. */
export interface TemplateContext {
  readonly parameters: Readonly<Record<string, string>>;
  /** @default '111111111111' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** The template's Conditions section. */
  readonly conditions?: Readonly<Record<string, unknown>>;
  /** The template's Mappings section, for Fn::FindInMap. */
  readonly mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** What `Ref: AWS::NoValue` resolves to: the list item or property holding it is removed, as CloudFormation does. */
const NO_VALUE = Symbol('AWS::NoValue');

function pseudo(name: string, ctx: TemplateContext): string {
  if (name === 'AWS::Partition') return 'aws';
  if (name === 'AWS::AccountId') return ctx.accountId ?? '111111111111';
  if (name === 'AWS::Region') return ctx.region ?? 'us-east-1';
  if (name === 'AWS::URLSuffix') return 'amazonaws.com';
  const value = ctx.parameters[name];
  if (value === undefined) throw new Error(`the template refers to parameter ${name}, which has no value here`);
  return value;
}

function condition(name: string, ctx: TemplateContext): boolean {
  const expression = ctx.conditions?.[name];
  if (expression === undefined) throw new Error(`unknown condition ${name}`);
  return truth(expression, ctx);
}

function truth(expression: unknown, ctx: TemplateContext): boolean {
  const e = expression as Record<string, unknown[]>;
  if ('Fn::Equals' in e) return resolveValue(e['Fn::Equals']?.[0], ctx) === resolveValue(e['Fn::Equals']?.[1], ctx);
  if ('Fn::Not' in e) return !truth(e['Fn::Not']?.[0], ctx);
  if ('Fn::And' in e) return (e['Fn::And'] ?? []).every((x) => truth(x, ctx));
  if ('Fn::Or' in e) return (e['Fn::Or'] ?? []).some((x) => truth(x, ctx));
  if ('Condition' in e) return condition(String(e.Condition), ctx);
  throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
}

/**
 * Resolves Ref (AWS::NoValue removes what holds it), Fn::Join, Fn::Sub, Fn::If, Fn::Split, Fn::Select, Fn::FindInMap and Fn::GetAtt (as a
 * placeholder `{Resource.Attribute}`, which matches no real value) in a template value.
 */
export function resolveValue(value: unknown, ctx: TemplateContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = o[key] as unknown[];
    if (key === 'Ref') return o.Ref === 'AWS::NoValue' ? NO_VALUE : pseudo(String(o.Ref), ctx);
    if (key === 'Fn::Join') {
      // A Ref to a CommaDelimitedList parameter is a list; given here as its comma-separated text.
      const items = resolveValue(arg[1], ctx);
      return (Array.isArray(items) ? items : String(items).split(',')).map(String).join(String(arg[0]));
    }
    // A resource's attribute is known only once deployed: a placeholder that equals no real ARN or value.
    if (key === 'Fn::GetAtt') return `{${[arg].flat().join('.')}}`;
    if (key === 'Fn::If') return condition(String(arg[0]), ctx) ? resolveValue(arg[1], ctx) : resolveValue(arg[2], ctx);
    if (key === 'Fn::Split') return String(resolveValue(arg[1], ctx)).split(String(arg[0]));
    if (key === 'Fn::FindInMap') {
      const [map, top, second] = arg.map((a) => String(resolveValue(a, ctx)));
      const found = ctx.mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''];
      if (found === undefined) throw new Error(`Fn::FindInMap: ${map}/${top}/${second} is not in the template's Mappings`);
      return found;
    }
    if (key === 'Fn::Select') return (resolveValue(arg[1], ctx) as unknown[])[Number(resolveValue(arg[0], ctx))];
    if (key === 'Fn::Sub') {
      const [text, vars] = typeof o[key] === 'string' ? [o[key] as string, {}] : (arg as [string, Record<string, unknown>]);
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const local = (vars as Record<string, unknown>)[name];
        return String(local !== undefined ? resolveValue(local, ctx) : pseudo(name, ctx));
      });
    }
    if (key.startsWith('Fn::') || key === 'Condition') throw new Error(`unsupported intrinsic ${key}`);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveValue(o[k], ctx)]).filter(([, v]) => v !== NO_VALUE));
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** True when a trust statement lets a token with these claims call AssumeRoleWithWebIdentity through this provider. */
export function admitsToken(statement: Record<string, unknown>, claims: Readonly<Record<string, string>>, providerArn: string): boolean {
  const actions = [statement.Action].flat();
  const federated = [(statement.Principal as { Federated?: unknown } | undefined)?.Federated].flat();
  if (statement.Effect !== 'Allow' || !actions.includes('sts:AssumeRoleWithWebIdentity') || !federated.includes(providerArn)) return false;
  const host = providerArn.split('oidc-provider/')[1] ?? '';
  for (const [operator, block] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, string | string[]>>)) {
    for (const [key, expected] of Object.entries(block)) {
      if (!key.startsWith(`${host}:`)) throw new Error(`the condition key ${key} is not a claim of ${host}`);
      const actual = claims[key.slice(host.length + 1)];
      if (actual === undefined) return false;
      const allowed = [expected].flat();
      if (operator === 'StringEquals' && !allowed.includes(actual)) return false;
      else if (operator === 'StringLike' && !allowed.some((p) => glob(p).test(actual))) return false;
      else if (operator !== 'StringEquals' && operator !== 'StringLike') throw new Error(`unsupported condition operator ${operator}`);
    }
  }
  return true;
}

/** A synthesized template, as far as these functions read it. */
export interface SynthesizedTemplate {
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Resources: Record<string, { Properties: Record<string, unknown>; Condition?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: TemplateContext['mappings'];
}

type Statement = Record<string, unknown>;

/** A role's resolved property (its trust or its policies); an error when the role is missing or its condition is false. */
function roleProperty(template: SynthesizedTemplate, roleLogicalId: string, property: string, ctx: Omit<TemplateContext, 'conditions'>): unknown {
  // A parameter not given takes its default, as in CloudFormation.
  const defaults = Object.entries(template.Parameters ?? {}).flatMap(([name, p]) => {
    const value = (p as { Default?: unknown } | undefined)?.Default;
    return value === undefined ? [] : [[name, String(value)]];
  });
  const full = {
    ...ctx,
    parameters: { ...Object.fromEntries(defaults), ...ctx.parameters },
    conditions: template.Conditions ?? {},
    mappings: template.Mappings,
  };
  const role = template.Resources[roleLogicalId];
  if (!role) throw new Error(`the template has no resource ${roleLogicalId}`);
  if (role.Condition && !condition(role.Condition, full))
    throw new Error(`${roleLogicalId} is not created with these parameters (condition ${role.Condition})`);
  return resolveValue(role.Properties[property], full);
}

/** Whether a role of a synthesized template can be assumed with a token carrying these claims. */
export function roleAdmits(
  template: SynthesizedTemplate,
  roleLogicalId: string,
  claims: Readonly<Record<string, string>>,
  ctx: Omit<TemplateContext, 'conditions'>,
): boolean {
  const document = roleProperty(template, roleLogicalId, 'AssumeRolePolicyDocument', ctx) as { Statement: Statement[] };
  const provider = `arn:aws:iam::${ctx.accountId ?? '111111111111'}:oidc-provider/${GITHUB_OIDC_PROVIDER}`;
  return document.Statement.some((s) => admitsToken(s, claims, provider));
}

/** Statements this evaluator cannot read exactly are refused, not guessed: NotAction, NotResource, NotPrincipal, Condition. */
function plain(statement: Statement, what: string): Statement {
  for (const key of ['NotAction', 'NotResource', 'NotPrincipal', 'Condition']) {
    if (key in statement) throw new Error(`unsupported ${key} in ${what}: ${JSON.stringify(statement)}`);
  }
  return statement;
}

/** IAM matches action names case-insensitively, resources case-sensitively; both with * and ? wildcards. */
const matchesAction = (patterns: unknown, action: string) => [patterns].flat().some((p) => new RegExp(glob(String(p)).source, 'i').test(action));
const matchesResource = (patterns: unknown, resource: string) => [patterns].flat().some((p) => glob(String(p)).test(resource));

/**
 * Whether a role's own inline policies allow `action` on `resource` (an explicit Deny wins; nothing allowed is refused).
 * Managed policies are not read: a role with any is refused as unsupported. Statements with a Condition are refused
 * too, unless the request's context keys are given (`requestContext`, e.g. `iam:PermissionsBoundary`): then the
 * conditions are evaluated by src/org/policy-evaluation.ts, a key not given being absent from the request.
 */
export function roleMayCall(
  template: SynthesizedTemplate,
  roleLogicalId: string,
  action: string,
  resource: string,
  ctx: Omit<TemplateContext, 'conditions'>,
  requestContext?: Readonly<Record<string, string>>,
): boolean {
  if (template.Resources[roleLogicalId]?.Properties.ManagedPolicyArns)
    throw new Error(`${roleLogicalId} has managed policies, which this evaluator does not read`);
  const policies = (roleProperty(template, roleLogicalId, 'Policies', ctx) ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  if (requestContext) {
    const principal = `arn:aws:iam::${ctx.accountId ?? '111111111111'}:role/${roleLogicalId}`;
    const document = { Statement: policies.flatMap((p) => p.PolicyDocument.Statement) } as unknown as Parameters<typeof evaluatePolicy>[0];
    return evaluatePolicy(document, { principal, action, resource, context: requestContext }) === 'allow';
  }
  const statements = policies
    .flatMap((p) => p.PolicyDocument.Statement)
    .map((s) => plain(s, `a policy of ${roleLogicalId}`))
    .filter((s) => matchesAction(s.Action, action) && matchesResource(s.Resource, resource));
  return !statements.some((s) => s.Effect === 'Deny') && statements.some((s) => s.Effect === 'Allow');
}

/** Whether a role's trust lets the IAM role `principalArn` call sts:AssumeRole (the principal named exactly, no condition). */
export function roleTrustsPrincipal(
  template: SynthesizedTemplate,
  roleLogicalId: string,
  principalArn: string,
  ctx: Omit<TemplateContext, 'conditions'>,
): boolean {
  const document = roleProperty(template, roleLogicalId, 'AssumeRolePolicyDocument', ctx) as { Statement: Statement[] };
  return document.Statement.map((s) => plain(s, `the trust of ${roleLogicalId}`)).some(
    (s) =>
      s.Effect === 'Allow' && matchesAction(s.Action, 'sts:AssumeRole') && [(s.Principal as { AWS?: unknown } | undefined)?.AWS].flat().includes(principalArn),
  );
}
