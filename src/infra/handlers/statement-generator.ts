/**
 * Lambda handler of the statement generator, run by EventBridge Scheduler on the 3rd of each month at 06:00 UTC.
 * Bundled by esbuild with `environments.json` (account ID → environment) beside it; the AWS SDK comes from the runtime.
 * Event: `{}` for the previous month, or `{ "month": "YYYY-MM" }` to (re)generate one month.
 */
import { readFileSync } from 'node:fs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { systemClock } from '../../clock.js';
import { costExplorerSource } from '../../cost/cost-source.js';
import { previousMonth, publishStatements } from '../../cost/publish-statements.js';
import { isMonth } from '../../cost/time.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; the stack sets it`);
  return value;
}

export async function handler(event: { month?: string } = {}): Promise<{ month: string; requests: number; statements: number }> {
  const month = event.month ?? previousMonth(systemClock());
  if (!isMonth(month)) throw new Error(`event.month is "${month}"; use YYYY-MM`);
  const environments = new Map(Object.entries(JSON.parse(readFileSync(new URL('./environments.json', import.meta.url), 'utf8')) as Record<string, string>));
  const region = required('AWS_REGION');
  const result = await publishStatements(
    {
      source: costExplorerSource(new CostExplorerClient({ region: 'us-east-1' })),
      // Path-style requests when an endpoint is set (LocalStack, moto); virtual-hosted on AWS.
      s3: new S3Client({ region, forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined }),
      sns: new SNSClient({ region }),
    },
    { month, environments, bucket: required('STATEMENTS_BUCKET'), topicArn: required('OPERATOR_TOPIC_ARN'), region },
  );
  console.log(JSON.stringify({ month, requests: result.requests, statements: result.published.map((p) => ({ environment: p.environment, total: p.total })) }));
  return { month, requests: result.requests, statements: result.published.length };
}
