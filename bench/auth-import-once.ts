/** One auth import in a fresh process: prints {"seconds","maxRssMb","calls","created",…} as JSON. Run by bench/auth.bench.ts. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { importAuthUsers } from '../src/auth/import-auth-users.js';
import { ClientFactory } from '../src/aws/client-factory.js';

const [endpoint, userPoolId, file, rate] = process.argv.slice(2);
const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint });
let calls = 0;
clients.observe(() => calls++);
const started = performance.now();
const summary = await importAuthUsers(clients.create(CognitoIdentityProviderClient, { maxAttempts: 1 }), userPoolId as string, file as string, {
  environment: 'bench',
  suppressInvites: true,
  ratePerSecond: Number(rate),
  concurrency: 16,
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({
    seconds,
    calls,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    created: summary.created,
    unchanged: summary.unchanged,
    rejected: summary.rejected.length,
  }),
);
