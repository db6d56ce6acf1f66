import * as core from '@actions/core';
import * as github from '@actions/github';
import { loadConfig } from '../../src/config/load-config.js';
import { actionError, booleanInput, sessionClients, toActionError } from '../../src/delivery/action-io.js';
import { GroundworkError } from '../../src/errors.js';
import { digestIn, planCounts, planDigest, planForReview, planMarkdown } from '../../src/gitops/review-plan.js';
import { findStickyComment, upsertStickyComment } from '../../src/gitops/sticky-comment.js';

/** The pull request merged as this commit, and the digest in its plan comment. */
async function reviewedDigest(octokit: ReturnType<typeof github.getOctokit>, sha: string): Promise<{ number: number; digest?: string } | undefined> {
  const { owner, repo } = github.context.repo;
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha });
  const merged = data.find((pr) => pr.merged_at && pr.merge_commit_sha === sha) ?? data.find((pr) => pr.merged_at);
  if (!merged) return undefined;
  const comment = await findStickyComment(octokit, { owner, repo, issueNumber: merged.number });
  return { number: merged.number, digest: comment ? digestIn(comment.body) : undefined };
}

/** The action: plan read-only, comment on the pull request, summary, outputs; fails on findings that need attention. */
export async function run(): Promise<void> {
  try {
    const configFile = core.getInput('config') || 'groundwork.yaml';
    const memberSettings = core.getInput('member-settings') || 'skip';
    if (memberSettings !== 'skip' && memberSettings !== 'read') {
      throw new GroundworkError('USAGE', `input member-settings is "${memberSettings}"; use skip or read`, {
        hint: "set member-settings in the step's with: block",
      });
    }
    const comment = booleanInput('comment', core.getInput('comment') || 'true');
    const compare = booleanInput('compare-with-pull-request', core.getInput('compare-with-pull-request') || 'false');
    const failOnAttention = booleanInput('fail-on-attention', core.getInput('fail-on-attention') || 'true');
    const token = core.getInput('github-token');
    const config = loadConfig(configFile);
    const clients = sessionClients(core.getInput('aws-region') || process.env.AWS_REGION || config.organization.homeRegion, process.env);
    core.info(`Planning ${configFile} (member account settings: ${memberSettings})…`);
    const reviewed = await planForReview(config, clients, { memberSettings });
    const counts = planCounts(reviewed.plan);
    const digest = planDigest(reviewed.plan);
    const markdown = planMarkdown(reviewed, { configFile, commit: process.env.GITHUB_SHA });
    core.setOutput('creates', counts.create);
    core.setOutput('updates', counts.update);
    core.setOutput('moves', counts.move);
    core.setOutput('deletes', counts.delete);
    core.setOutput('attention', counts.attention);
    core.setOutput('digest', digest);
    core.info(
      `Plan ${digest}: ${counts.create} to create, ${counts.update} to update, ${counts.move} to move, ${counts.delete} to delete; ${counts.attention} need attention`,
    );

    const octokit = token && (comment || compare) ? github.getOctokit(token) : undefined;
    const isPullRequest = github.context.eventName === 'pull_request' || github.context.eventName === 'pull_request_target';
    let commentUrl = '';
    // A comment GitHub refuses (a token without pull-requests: write, a fork's read-only token) fails the step after the
    // summary is written: the plan computed is never lost.
    let commentFailure: string | undefined;
    if (comment && isPullRequest) {
      if (!octokit) throw new GroundworkError('USAGE', 'comment is true but github-token is empty', { hint: 'pass github-token, or set comment: false' });
      const { owner, repo } = github.context.repo;
      try {
        const result = await upsertStickyComment(octokit, { owner, repo, issueNumber: github.context.issue.number }, markdown);
        commentUrl = result.url;
        core.info(`Plan comment ${result.action}: ${result.url}`);
      } catch (error) {
        const mapped = toActionError(error);
        if (!mapped) throw error;
        commentFailure = actionError(
          new GroundworkError(mapped.code, `the plan comment could not be posted (the plan is in this step's summary): ${mapped.message}`, {
            hint: mapped.actionHint ?? mapped.hint,
            cause: error,
          }),
        ).line;
      }
    }
    core.setOutput('comment-url', commentUrl);

    let driftLine: string | undefined;
    let drift = '';
    if (compare && process.env.GITHUB_SHA) {
      if (!octokit) throw new GroundworkError('USAGE', 'compare-with-pull-request is true but github-token is empty', { hint: 'pass github-token' });
      const found = await reviewedDigest(octokit, process.env.GITHUB_SHA);
      core.setOutput('reviewed-digest', found?.digest ?? '');
      if (!found) driftLine = 'No merged pull request has this commit, so there is no reviewed plan to compare with (a direct push).';
      else if (!found.digest) driftLine = `Pull request #${found.number} has no Groundwork plan comment to compare with.`;
      else if (found.digest === digest) {
        drift = 'false';
        driftLine = `This plan is the one reviewed on pull request #${found.number} (digest ${digest}).`;
      } else {
        drift = 'true';
        driftLine = `**This plan differs from the one reviewed on pull request #${found.number}** (reviewed ${found.digest}, now ${digest}): AWS or the default branch changed since the review. What will be applied is below.`;
        core.warning(`the plan differs from the one reviewed on pull request #${found.number} (reviewed ${found.digest}, now ${digest})`);
      }
    } else core.setOutput('reviewed-digest', '');
    core.setOutput('drift', drift);

    await core.summary
      .addTable([
        [
          { data: 'create', header: true },
          { data: 'update', header: true },
          { data: 'move', header: true },
          { data: 'delete', header: true },
          { data: 'needs attention', header: true },
          { data: 'unmanaged', header: true },
        ],
        [String(counts.create), String(counts.update), String(counts.move), String(counts.delete), String(counts.attention), String(counts.unmanaged)],
      ])
      .addRaw(driftLine ? `\n${driftLine}\n` : '', true)
      .addRaw(`\n${markdown}\n`, true)
      .addRaw(commentUrl ? `\n[The plan comment on the pull request](${commentUrl})\n` : '', true)
      .addRaw(commentFailure ? `\n**The plan comment could not be posted**: ${commentFailure}\n` : '', true)
      .write();
    if (failOnAttention && counts.attention > 0) {
      for (const finding of reviewed.plan.attention) core.error(finding.message, { title: `${finding.kind} ${finding.name}` });
      core.setFailed(`the plan has ${counts.attention} finding(s) that need attention; resolve them (they are listed in the summary and the plan comment)`);
    }
    if (commentFailure) core.setFailed(commentFailure);
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
