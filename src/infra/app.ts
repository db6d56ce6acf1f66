/**
 * Entry point for the CDK CLI (`npx cdk synth`, via cdk.json). Groundwork's own commands call synthesize() instead.
 * The config file comes from $GROUNDWORK_CONFIG, default groundwork.yaml; account IDs are offline placeholders
 * unless $GROUNDWORK_ACCOUNT_IDS holds a JSON object of name → ID and $GROUNDWORK_ORGANIZATION_ID the organization ID;
 * $GROUNDWORK_POLICY_IDS may hold a JSON object of SCP name → policy ID (the Playground guard's).
 */
import { loadConfig } from '../config/load-config.js';
import { directoryFrom, placeholderDirectory } from './account-directory.js';
import { buildApp } from './build-app.js';

const config = loadConfig(process.env.GROUNDWORK_CONFIG ?? 'groundwork.yaml');
const given = process.env.GROUNDWORK_ACCOUNT_IDS;
let accounts = placeholderDirectory(config);
if (given) {
  const ids = new Map(Object.entries(JSON.parse(given) as Record<string, string>));
  accounts = directoryFrom(config, {
    managementAccountId: ids.get(config.organization.managementAccount.name) ?? '',
    organizationId: process.env.GROUNDWORK_ORGANIZATION_ID,
    accounts: ids,
    policies: new Map(Object.entries(JSON.parse(process.env.GROUNDWORK_POLICY_IDS ?? '{}') as Record<string, string>)),
  });
}
buildApp({ config, accounts, outdir: process.env.CDK_OUTDIR }).synth();
