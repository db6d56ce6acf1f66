import * as core from '@actions/core';
import { loadConfig } from '../../src/config/load-config.js';
import { actionError, booleanInput, numberInput, sessionClients } from '../../src/delivery/action-io.js';
import { syncPeople } from '../../src/gitops/sync-people.js';

/** The action: the people file into Identity Center; rejected rows as annotations at their lines; a summary table. */
export async function run(): Promise<void> {
  try {
    const file = core.getInput('file') || 'people.csv';
    const removeMissing = booleanInput('remove-missing', core.getInput('remove-missing') || 'false');
    const maxRemovals = numberInput('max-removals', core.getInput('max-removals') || '5', 0, 100_000);
    const dryRun = booleanInput('dry-run', core.getInput('dry-run') || 'false');
    const failOnRejected = booleanInput('fail-on-rejected', core.getInput('fail-on-rejected') || 'true');
    const config = loadConfig(core.getInput('config') || 'groundwork.yaml');
    const clients = sessionClients(core.getInput('aws-region') || process.env.AWS_REGION || config.organization.homeRegion, process.env);
    const summary = await syncPeople(config, clients, file, {
      dryRun,
      removeMissing,
      maxRemovals,
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
    if (summary.kept > 0) core.summary.addRaw(`\nKept ${summary.kept} membership(s) in groups the config does not declare (SCIM, console).\n`, true);
    if (summary.recreatedInSandbox.length > 0) {
      core.summary.addRaw(`\nEmulator only: ${summary.recreatedInSandbox.length} changed user(s) were re-created (moto has no UpdateUser).\n`, true);
    }
    await core.summary.write();
    if (failOnRejected && summary.rejected.length > 0) {
      core.setFailed(
        `${summary.rejected.length} row(s) of ${file} were rejected (annotated at their lines); the valid rows were imported. Fix those rows and push again.`,
      );
    }
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
