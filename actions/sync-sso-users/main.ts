import * as core from '@actions/core';
import { loadConfig } from '../../src/config/load-config.js';
import { actionError, booleanInput, numberInput, sessionClients } from '../../src/delivery/action-io.js';
import { type SyncSummary, syncPeople } from '../../src/gitops/sync-people.js';

/** The action: the people file into Identity Center; rejected rows as annotations at their lines; a summary table. */
export async function run(): Promise<void> {
  try {
    const file = core.getInput('file') || 'people.csv';
    const removeMissing = booleanInput('remove-missing', core.getInput('remove-missing') || 'false');
    const maxRemovals = numberInput('max-removals', core.getInput('max-removals') || '5', 0, 100_000);
    const dryRun = booleanInput('dry-run', core.getInput('dry-run') || 'false');
    const failOnRejected = booleanInput('fail-on-rejected', core.getInput('fail-on-rejected') || 'true');
    const allowPrivileged = booleanInput('allow-privileged', core.getInput('allow-privileged') || 'false');
    const failOnPrivileged = booleanInput('fail-on-privileged', core.getInput('fail-on-privileged') || 'true');
    const approvalEnvironment = core.getInput('approval-environment') || 'foundation';
    const config = loadConfig(core.getInput('config') || 'groundwork.yaml');
    const clients = sessionClients(core.getInput('aws-region') || process.env.AWS_REGION || config.organization.homeRegion, process.env);
    const summary = await syncPeople(config, clients, file, {
      dryRun,
      removeMissing,
      maxRemovals,
      allowPrivileged,
      onProgress: (done) => core.info(`… ${done} valid row(s) processed`),
    });
    for (const row of summary.rejected) core.error(row.errors.join('; '), { file, startLine: row.line, title: `${file} line ${row.line} rejected` });
    core.setOutput('created', summary.created);
    core.setOutput('updated', summary.updated);
    core.setOutput('unchanged', summary.unchanged);
    core.setOutput('kept', summary.kept);
    core.setOutput('rejected', summary.rejected.length);
    core.setOutput('deactivated', summary.deactivated.length);
    core.setOutput('missing', summary.missing.join(','));
    const held = summary.privileged.filter((c) => !c.applied);
    core.setOutput('privileged-held', held.length);
    core.setOutput('privileged-applied', summary.privileged.length - held.length);
    core.setOutput('sync-group-arns', summary.syncGroupArns.join(','));
    const annotate = failOnPrivileged && !dryRun ? core.error : core.warning;
    for (const change of held) {
      const where = change.line === undefined ? {} : { file, startLine: change.line };
      annotate(`${change.username}: ${change.change} waits for an approved run (environment ${approvalEnvironment})`, {
        ...where,
        title: `${change.line === undefined ? file : `${file} line ${change.line}`} held for approval`,
      });
    }
    const listed = summary.missing.filter((u) => !summary.deactivated.includes(u));
    core.summary
      .addHeading(`${dryRun ? 'Dry run: ' : ''}people from ${file} into Identity Center`, 3)
      .addTable([
        ['created', 'updated', 'unchanged', 'kept', 'rejected', 'deactivated'].map((data) => ({ data, header: true })),
        [summary.created, summary.updated, summary.unchanged, summary.kept, summary.rejected.length, summary.deactivated.length].map(String),
      ]);
    if (summary.rejected.length > 0) {
      core.summary.addHeading('Rejected rows', 4).addTable([
        [
          { data: 'line', header: true },
          { data: 'why', header: true },
        ],
        ...summary.rejected.map((r) => [String(r.line), r.errors.join('; ')]),
      ]);
    }
    if (summary.deactivated.length > 0) {
      core.summary.addRaw(`\n${dryRun ? 'Would deactivate' : 'Deactivated'} (memberships removed, users kept): ${summary.deactivated.join(', ')}\n`, true);
    }
    if (listed.length > 0) {
      core.summary.addRaw(
        `\nIn Identity Center but not in the file, left as they are${removeMissing ? '' : ' (remove-missing: true deactivates them)'}: ${listed.join(', ')}\n`,
        true,
      );
    }
    writePrivileged(summary, held.length, approvalEnvironment);
    if (summary.kept > 0) core.summary.addRaw(`\nKept ${summary.kept} membership(s) in groups the config does not declare (SCIM, console).\n`, true);
    if (summary.recreatedInSandbox.length > 0) {
      core.summary.addRaw(`\nEmulator only: ${summary.recreatedInSandbox.length} changed user(s) were re-created (moto has no UpdateUser).\n`, true);
    }
    await core.summary.write();
    if (failOnRejected && summary.rejected.length > 0) {
      core.setFailed(
        dryRun
          ? `${summary.rejected.length} row(s) of ${file} would be rejected (annotated at their lines); the valid rows would be imported (${summary.created} to create, ${summary.updated} to update). Dry run: nothing was changed. Fix those rows and push again.`
          : `${summary.rejected.length} row(s) of ${file} were rejected (annotated at their lines); the valid rows were imported. Fix those rows and push again.`,
      );
    } else if (failOnPrivileged && !dryRun && held.length > 0) {
      core.setFailed(
        `${held.length} privileged change(s) of ${file} were held (annotated at their lines): adding to or removing from ${summary.privilegedGroups.join(', ') || 'an administrator group'} and changing an existing user need approval; the other changes were made. Run sync-sso-users with allow-privileged: true in a job of the ${approvalEnvironment} environment that assumes the people-admin role (PeopleAdminRoleArn of cloudformation/foundation-bootstrap.json).`,
      );
    }
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}

/** The privileged changes in the job summary: what was made, what waits for approval, and the sync role's groups. */
function writePrivileged(summary: SyncSummary, held: number, environment: string): void {
  if (summary.privileged.length > 0) {
    core.summary
      .addHeading(held > 0 ? `Privileged changes held for the ${environment} environment's approval` : 'Privileged changes made', 4)
      .addTable([
        ['line', 'person', 'change', 'made'].map((data) => ({ data, header: true })),
        ...summary.privileged.map((c) => [c.line === undefined ? '' : String(c.line), c.username, c.change, c.applied ? 'yes' : 'held']),
      ]);
  }
  if (summary.syncGroupArns.length > 0) {
    core.summary.addRaw(
      `\nThe sync role may change the memberships of the groups without an administrator permission set; the bootstrap template's SyncGroupArns: <code>${summary.syncGroupArns.join(',')}</code>\n`,
      true,
    );
  }
}
