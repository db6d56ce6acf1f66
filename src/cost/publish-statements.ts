import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type CostSource, fetchMonth } from './cost-source.js';
import { STATEMENT_FORMATS } from './render-statement.js';
import { buildStatements } from './statement.js';
import { monthStart } from './time.js';

/** The clients and data source the statement generator uses; passed in, never global. */
export interface PublishStatementsDeps {
  readonly source: CostSource;
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

/** What to publish, and where. */
export interface PublishStatementsOptions {
  /** YYYY-MM. */
  readonly month: string;
  /** Account ID → environment; every environment gets a statement, even with no usage. */
  readonly environments: ReadonlyMap<string, string>;
  readonly bucket: string;
  /** The operators' topic; the summary goes there. */
  readonly topicArn: string;
  /** Region of the bucket, for console links. */
  readonly region: string;
  /** @default 'statements' */
  readonly prefix?: string;
}

/** One published statement. */
export interface PublishedStatement {
  readonly environment: string;
  readonly currency: string;
  readonly total: string;
  /** Object keys: HTML, CSV and JSON. */
  readonly keys: readonly string[];
  readonly link: string;
}

/** The previous calendar month of `now`, as YYYY-MM: what the run on the 3rd reports. */
export function previousMonth(now: Date): string {
  return monthStart(now.toISOString().slice(0, 10), -1).slice(0, 7);
}

/** The summary the operators receive: one line per environment with its total and a link. */
export function statementSummary(month: string, published: readonly PublishedStatement[], sample: boolean): { subject: string; message: string } {
  const width = Math.max(...published.map((p) => p.environment.length), 11);
  return {
    subject: `${sample ? '[SAMPLE] ' : ''}Groundwork statements for ${month}`.slice(0, 100),
    message: [
      ...(sample ? ['SAMPLE DATA: generated figures, not AWS billing data.', ''] : []),
      `The monthly statements for ${month} are ready, one per environment (usage by service, credits and refunds):`,
      '',
      ...published.map((p) => `${p.environment.padEnd(width)}  ${p.currency} ${p.total.padStart(12)}  ${p.link}`),
      '',
      'Each is stored as HTML, CSV and JSON. Sign in through the portal to open the links.',
    ].join('\n'),
  };
}

/**
 * The statement generator: queries one month (two grouped Cost Explorer queries, every page), writes each
 * environment's statement as HTML, CSV and JSON to `bucket`, then sends the operators a summary with links.
 */
export async function publishStatements(
  deps: PublishStatementsDeps,
  options: PublishStatementsOptions,
): Promise<{ requests: number; published: PublishedStatement[] }> {
  const prefix = options.prefix ?? 'statements';
  const { usagePages, adjustmentPages, requests } = await fetchMonth(deps.source, options.month);
  const statements = buildStatements({ month: options.month, usagePages, adjustmentPages, environments: options.environments, sample: deps.source.sample });
  const published: PublishedStatement[] = [];
  for (const statement of statements) {
    const keys: string[] = [];
    for (const [extension, format] of Object.entries(STATEMENT_FORMATS)) {
      const key = `${prefix}/${options.month}/${statement.environment}.${extension}`;
      await deps.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: format.render(statement), ContentType: format.contentType }));
      keys.push(key);
    }
    published.push({
      environment: statement.environment,
      currency: statement.currency,
      total: statement.total,
      keys,
      link: `https://s3.console.aws.amazon.com/s3/object/${options.bucket}?region=${options.region}&prefix=${encodeURIComponent(keys[0] as string)}`,
    });
  }
  const summary = statementSummary(options.month, published, deps.source.sample);
  await deps.sns.send(new PublishCommand({ TopicArn: options.topicArn, Subject: summary.subject, Message: summary.message }));
  return { requests, published };
}
