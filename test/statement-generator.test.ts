import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishStatements } from '../src/cost/publish-statements.js';
import { bundleHandler } from '../src/infra/bundle-handler.js';
import { sampleCostSource } from '../src/sandbox/sample-costs.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const ACCOUNTS = [
  { id: '222222222222', environment: 'prod' },
  { id: '333333333333', environment: 'prod' },
  { id: '444444444444', environment: 'dev' },
];
const environments = new Map(ACCOUNTS.map((a) => [a.id, a.environment]));

/** A bucket, the operators' topic, and a queue subscribed to it so the test can read what was published. */
async function destinations() {
  const clients = sandbox.emulator.clients();
  const s3 = clients.create(S3Client);
  const sns = clients.create(SNSClient);
  const sqs = clients.create(SQSClient);
  const bucket = `statements-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `operators-${Date.now()}` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `inbox-${Date.now()}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn, Attributes: { RawMessageDelivery: 'false' } }));
  const received = async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    return (Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as { Subject?: string; Message: string });
  };
  const text = async (key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '';
  const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key).sort();
  return { s3, sns, bucket, topicArn: TopicArn as string, received, text, keys };
}

describe('the statement generator', () => {
  it('writes each environment as HTML, CSV and JSON, then sends the operators a summary with links', async () => {
    const d = await destinations();
    const result = await publishStatements(
      { source: sampleCostSource(ACCOUNTS, { today: new Date('2026-11-03T06:00:00Z'), pageSize: 1000 }), s3: d.s3, sns: d.sns },
      { month: '2026-10', environments, bucket: d.bucket, topicArn: d.topicArn, region: 'us-east-1' },
    );
    expect(result.requests).toBe(2);
    expect(await d.keys()).toEqual([
      'statements/2026-10/dev.csv',
      'statements/2026-10/dev.html',
      'statements/2026-10/dev.json',
      'statements/2026-10/prod.csv',
      'statements/2026-10/prod.html',
      'statements/2026-10/prod.json',
    ]);
    const prod = JSON.parse(await d.text('statements/2026-10/prod.json'));
    expect(prod).toMatchObject({ environment: 'prod', month: '2026-10', sample: true, note: 'SAMPLE DATA', accountIds: ['222222222222', '333333333333'] });
    expect(await d.text('statements/2026-10/prod.html')).toContain(`<td class="num">${prod.total}</td>`);
    const [summary] = await d.received();
    expect(summary?.Subject).toBe('[SAMPLE] Groundwork statements for 2026-10');
    expect(summary?.Message).toContain('SAMPLE DATA: generated figures, not AWS billing data.');
    expect(summary?.Message).toMatch(
      new RegExp(`prod\\s+USD\\s+${prod.total.replace('.', '\\.')}\\s+https://s3\\.console\\.aws\\.amazon\\.com/s3/object/${d.bucket}\\?`),
    );
  });

  describe('bundled, as Lambda runs it', () => {
    const saved = { ...process.env };
    beforeEach(() => {
      process.env.AWS_ENDPOINT_URL = sandbox.emulator.endpoint;
      process.env.AWS_ACCESS_KEY_ID = 'test';
      process.env.AWS_SECRET_ACCESS_KEY = 'test';
      process.env.AWS_REGION = 'us-east-1';
    });
    const cleanups: (() => void)[] = [];
    afterEach(() => {
      process.env = { ...saved };
      for (const cleanup of cleanups.splice(0)) cleanup();
    });

    it('queries Cost Explorer for the month it is given, and publishes real (not sample) statements', async () => {
      const d = await destinations();
      process.env.STATEMENTS_BUCKET = d.bucket;
      process.env.OPERATOR_TOPIC_ARN = d.topicArn;
      // Recorded Cost Explorer answers, queued in the emulator: the usage query, then credits and refunds.
      const usage = {
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
            Groups: [
              {
                Keys: ['222222222222', 'AWS Lambda'],
                Metrics: { UnblendedCost: { Amount: '10.005', Unit: 'USD' }, UsageQuantity: { Amount: '3', Unit: 'N/A' } },
              },
              {
                Keys: ['333333333333', 'AWS Lambda'],
                Metrics: { UnblendedCost: { Amount: '2.004', Unit: 'USD' }, UsageQuantity: { Amount: '1', Unit: 'N/A' } },
              },
            ],
            Estimated: false,
          },
        ],
      };
      const credits = {
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
            Groups: [{ Keys: ['222222222222', 'Credit'], Metrics: { UnblendedCost: { Amount: '-1.5', Unit: 'USD' } } }],
            Estimated: false,
          },
        ],
      };
      const queued = await fetch(`${sandbox.emulator.endpoint}/moto-api/static/ce/cost-and-usage-results`, {
        method: 'POST',
        body: JSON.stringify({ results: [usage, credits] }),
      });
      expect(queued.status).toBe(201);

      // Lambda resolves the SDK from its runtime; here the bundle sits where node_modules is found.
      const dir = bundleHandler('statement-generator', { 'environments.json': JSON.stringify(Object.fromEntries(environments)) });
      mkdirSync(SHARED_PATHS.home, { recursive: true });
      const runDir = mkdtempSync(join(SHARED_PATHS.home, 'lambda-'));
      cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
      for (const file of ['index.mjs', 'environments.json']) copyFileSync(join(dir, file), join(runDir, file));
      const { handler } = (await import(pathToFileURL(join(runDir, 'index.mjs')).href)) as {
        handler: (event: { month?: string }) => Promise<{ month: string; requests: number; statements: number }>;
      };

      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      cleanups.push(() => log.mockRestore());
      expect(await handler({ month: '2026-09' })).toEqual({ month: '2026-09', requests: 2, statements: 2 });
      // One structured line for the Lambda's log group.
      expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toEqual({
        month: '2026-09',
        requests: 2,
        statements: [
          { environment: 'prod', total: '10.51' },
          { environment: 'dev', total: '0.00' },
        ],
      });
      const prod = JSON.parse(await d.text('statements/2026-09/prod.json'));
      expect(prod.sample).toBe(false);
      expect(prod.note).toBeUndefined();
      expect(prod.lines.map((l: { description: string; amount: string }) => `${l.description} ${l.amount}`)).toEqual(['AWS Lambda 12.01', 'Credits -1.50']);
      expect(prod.total).toBe('10.51');
      expect(JSON.parse(await d.text('statements/2026-09/dev.json'))).toMatchObject({ total: '0.00', lines: [] });
      const [summary] = await d.received();
      expect(summary?.Subject).toBe('Groundwork statements for 2026-09');
      expect(summary?.Message).not.toContain('SAMPLE');
      await expect(handler({ month: '2026-9' })).rejects.toThrow('event.month is "2026-9"; use YYYY-MM');
    });
  });
});
