/** One users import (or list) in a fresh process: prints {"seconds","maxRssMb","calls",…} as JSON. Run by bench/identity.bench.ts. */
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { findInstance } from '../src/identity/identity-context.js';
import { assignmentKind } from '../src/identity/kinds/assignment-kind.js';
import { readGroups } from '../src/identity/kinds/group-kind.js';
import { permissionSetKind } from '../src/identity/kinds/permission-set-kind.js';
import { importUsers } from '../src/identity/people/import-users.js';
import { listUsers } from '../src/identity/people/list-users.js';
import { readAccounts } from '../src/org/kinds/account-kind.js';
import { readOrganizationBasics } from '../src/org/read-organization.js';

const [mode, endpoint, configFile, csvFile] = process.argv.slice(2);
const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint });
let calls = 0;
clients.observe(() => calls++);
const contexts = createFoundationContexts(loadConfig(configFile as string), clients);
await readOrganizationBasics(contexts.org);
await readAccounts(contexts.org);
await findInstance(contexts.identity);
await readGroups(contexts.identity);
calls = 0;
const started = performance.now();
let extra: Record<string, unknown> = {};
if (mode === 'import') {
  const summary = await importUsers(contexts.identity, csvFile as string, { concurrency: 16 });
  extra = { created: summary.created, rejected: summary.rejected.length };
} else {
  await permissionSetKind(contexts.identity).read();
  const users = await listUsers(contexts.identity, await assignmentKind(contexts.identity).read());
  extra = { users: users.length };
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, calls, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra }));
