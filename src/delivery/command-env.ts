/**
 * The environment a team's own command gets (the release's smoke check, staging's E2E tests). Those commands run the
 * service's test code and its dependencies, which must not inherit what the job holds for the deploy: AWS credentials,
 * the runner's OIDC token endpoint (a token from it is a new set of credentials), the GitHub token, or the file commands
 * through which a step changes the following steps, the action's outputs or its post step.
 */

/** Name prefixes never passed: AWS settings and credentials, the runner's tokens and URLs, the action's inputs and saved state. */
export const WITHHELD_PREFIXES = ['AWS_', 'ACTIONS_', 'INPUT_', 'STATE_'] as const;

/** Names never passed: GitHub tokens and the runner's file commands (a summary stays writable). */
export const WITHHELD_NAMES = ['GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STATE'] as const;

/** Whether a variable is withheld by name. */
export function isWithheld(name: string): boolean {
  const upper = name.toUpperCase();
  return WITHHELD_PREFIXES.some((prefix) => upper.startsWith(prefix)) || (WITHHELD_NAMES as readonly string[]).includes(upper);
}

/**
 * The environment for a team's command: everything of `env` except what {@link isWithheld} names and any variable whose
 * value contains one of `secrets` (the values the action masked, such as credentials it obtained itself). What stays:
 * PATH, HOME, the locale, CI, the GITHUB_* context of the run (repository, SHA, ref, workspace, step summary), RUNNER_*,
 * proxies and CA bundles, and the variables the team set on the step.
 */
export function commandEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly secrets?: readonly string[] } = {},
): Record<string, string> {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isWithheld(name)) continue;
    if (secrets.some((secret) => value.includes(secret))) continue;
    out[name] = value;
  }
  return out;
}
