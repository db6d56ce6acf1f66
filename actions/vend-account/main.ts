import { readFileSync, writeFileSync } from 'node:fs';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { actionError, numberInput, sessionClients } from '../../src/delivery/action-io.js';
import { GroundworkError } from '../../src/errors.js';
import { commitFile, findOpenPullRequest, openFilePullRequest, vendBranch } from '../../src/gitops/config-commits.js';
import { planForReview, planMarkdown } from '../../src/gitops/review-plan.js';
import { addAccountToConfig, type VendRequest } from '../../src/gitops/vend-account.js';
import { vendAccountNow } from '../../src/gitops/vend-apply.js';

/** The request as the inputs give it; the config's own rules check it in addAccountToConfig. */
function request(): VendRequest {
  const budget = core.getInput('monthly-budget');
  return {
    name: core.getInput('account-name', { required: true }).trim(),
    organizationalUnit: core.getInput('organizational-unit', { required: true }).trim(),
    ...(core.getInput('environment') ? { environment: core.getInput('environment').trim() } : {}),
    ...(budget ? { monthlyBudgetUsd: numberInput('monthly-budget', budget, 0, 1_000_000_000) } : {}),
    ...(core.getInput('owner-email') ? { email: core.getInput('owner-email').trim() } : {}),
  };
}

function runUrl(): string {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` : '';
}

/** The action: validate, edit the config keeping its bytes, then a pull request or the account now. */
export async function run(): Promise<void> {
  try {
    const mode = core.getInput('mode') || 'pull-request';
    if (mode !== 'pull-request' && mode !== 'apply') {
      throw new GroundworkError('USAGE', `input mode is "${mode}"; use pull-request or apply`, { hint: "set mode in the step's with: block" });
    }
    const wanted = request();
    const path = core.getInput('config') || 'groundwork.yaml';
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new GroundworkError('CONFIG_NOT_FOUND', `config file not found in the workspace: ${path}`, {
        hint: 'check out the repository first (actions/checkout), or set the config input',
        cause: error,
      });
    }
    const edit = addAccountToConfig(text, path, wanted);
    core.setOutput('changed', String(edit.changed));
    const token = core.getInput('github-token');
    if (!token) throw new GroundworkError('USAGE', 'github-token is empty', { hint: 'pass github-token (the default is the job token)' });
    const octokit = github.getOctokit(token);
    const repository = github.context.repo;
    const payload = github.context.payload as { repository?: { default_branch?: string } };
    const base = core.getInput('base-branch') || payload.repository?.default_branch || process.env.GITHUB_REF_NAME || 'main';
    const title = `Vend account ${wanted.name} in ${wanted.organizationalUnit}`;

    if (mode === 'pull-request') {
      const branch = vendBranch(wanted.name);
      const open = await findOpenPullRequest(octokit, repository, branch);
      if (open) {
        core.setOutput('pull-request-url', open.url);
        core.info(`A pull request for ${wanted.name} is open already: ${open.url}`);
        await core.summary.addHeading(title, 3).addRaw(`Already requested: [pull request #${open.number}](${open.url}). Nothing was changed.\n`, true).write();
        return;
      }
      core.setOutput('pull-request-url', '');
      if (!edit.changed) {
        core.info(`${path} on ${base} has account ${wanted.name} in ${wanted.organizationalUnit} already; nothing to request`);
        await core.summary.addHeading(title, 3).addRaw(`\`${path}\` on \`${base}\` has this account already. Nothing was changed.\n`, true).write();
        return;
      }
      let plan: string;
      if (process.env.AWS_ACCESS_KEY_ID) {
        const clients = sessionClients(core.getInput('aws-region') || process.env.AWS_REGION || edit.config.organization.homeRegion, process.env);
        plan = planMarkdown(await planForReview(edit.config, clients, { memberSettings: 'skip' }), { configFile: path });
      } else {
        plan = '_No plan: this run had no AWS credentials (run assume-role-via-oidc into the plan role before this step)._';
      }
      const body = [
        `Requested by @${github.context.actor || 'someone'} through the vend-account workflow${runUrl() ? ` ([run](${runUrl()}))` : ''}.`,
        '',
        `| account | OU | environment | monthly budget | e-mail |`,
        `|---|---|---|---|---|`,
        `| ${wanted.name} | ${wanted.organizationalUnit} | ${wanted.environment ?? '(the account name)'} | ${wanted.monthlyBudgetUsd === undefined ? '(the default)' : `$${wanted.monthlyBudgetUsd}`} | ${wanted.email ?? '(from the template)'} |`,
        '',
        'Merging applies it (foundation-apply, behind the `foundation` environment).',
        '',
        plan,
      ].join('\n');
      const pr = await openFilePullRequest(octokit, repository, { base, branch, path, text: edit.text, title, body });
      core.setOutput('pull-request-url', pr.url);
      core.info(`Opened ${pr.url}`);
      await core.summary.addHeading(title, 3).addRaw(`Opened [pull request #${pr.number}](${pr.url}) from \`${branch}\`.\n\n${plan}\n`, true).write();
      return;
    }

    const clients = sessionClients(core.getInput('aws-region') || process.env.AWS_REGION || edit.config.organization.homeRegion, process.env);
    const result = await vendAccountNow(edit.config, clients, wanted.name, {
      progress: (message) => core.info(message),
      autoDeploymentGraceMs: numberInput('auto-deployment-grace-seconds', core.getInput('auto-deployment-grace-seconds') || '120', 0, 3_600) * 1000,
      timeoutMs: numberInput('wait-timeout-seconds', core.getInput('wait-timeout-seconds') || '1800', 60, 6 * 3600) * 1000,
      pollMs: process.env.GROUNDWORK_POLL_MS ? Number(process.env.GROUNDWORK_POLL_MS) : undefined,
    });
    core.setOutput('account-id', result.accountId);
    core.setOutput('sign-in-url', result.signInUrl ?? '');
    let committed = '';
    if (edit.changed) {
      writeFileSync(path, edit.text);
      try {
        const commit = await commitFile(octokit, repository, {
          branch: base,
          path,
          text: edit.text,
          message: `${title} (applied by vend-account${runUrl() ? `: ${runUrl()}` : ''})`,
        });
        committed = commit.sha;
      } catch (error) {
        const mapped = actionError(error);
        throw new GroundworkError(
          'GITHUB_REFUSED',
          `account ${wanted.name} is created (${result.accountId}), but ${path} could not be committed to ${base}: ${mapped.line}`,
          { hint: `commit the change yourself (mode pull-request opens it as a pull request); the account exists, so dispatching again only commits` },
        );
      }
    }
    await core.summary
      .addHeading(title, 3)
      .addTable([
        [
          { data: 'account', header: true },
          { data: 'ID', header: true },
          { data: 'sign in', header: true },
          { data: 'config', header: true },
        ],
        [
          wanted.name,
          result.accountId,
          result.signInUrl ? `<a href="${result.signInUrl}">access portal</a>` : '(no permission set assigned there)',
          committed ? `committed to ${base} (${committed.slice(0, 7)})` : 'had the account already',
        ],
      ])
      .addHeading('Applied', 4)
      .addList(result.applied.length > 0 ? [...result.applied] : ['nothing: the account and its settings were in place'])
      .addHeading('StackSet instances', 4)
      .addList(
        result.stackSets.length > 0 ? result.stackSets.map((s) => `${s.name}: ${s.outcome}`) : ['none: the config gives this account no member baseline'],
      )
      .addRaw("\nThe account's budget and invoice unit are part of the management stacks: the next foundation apply (groundwork deploy) creates them.\n", true)
      .write();
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
