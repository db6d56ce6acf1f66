import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Props of {@link OperatorNotifications}. */
export interface OperatorNotificationsProps {
  /**
   * E-mail addresses subscribed to the topic. Each must confirm the subscription from its inbox.
   * @default - no subscriptions
   */
  readonly operatorEmails?: readonly string[];
  /**
   * Service principals allowed to publish: AWS Budgets (budget alerts and the Playground guard) and CloudWatch (alarms).
   * Each may publish only on behalf of this account (aws:SourceAccount) and, where the service sends it, its own resources
   * (aws:SourceArn).
   * @default ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com']
   */
  readonly publisherServices?: readonly string[];
  /**
   * Topic name.
   * @default 'groundwork-operator-notifications'
   */
  readonly topicName?: string;
}

/** `budgets.amazonaws.com` → `Budgets`, for statement IDs. */
function sidOf(service: string): string {
  return (service.split('.')[0] ?? service)
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Conditions that keep a service from publishing for another account's resources (the confused deputy): aws:SourceAccount
 * always, aws:SourceArn where the service sends it. On the key, EventBridge sends neither key to KMS (AWS documents that
 * such conditions drop every notification), so its key grant relies on the topic policy's conditions.
 */
export function confusedDeputyConditions(service: string, stack: Stack): { key?: Record<string, unknown>; topic: Record<string, unknown> } {
  const sourceArn: Record<string, string> = {
    'budgets.amazonaws.com': `arn:${stack.partition}:budgets::${stack.account}:*`,
    'cloudwatch.amazonaws.com': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
    'events.amazonaws.com': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*`,
  };
  const arn = sourceArn[service];
  const full = { StringEquals: { 'aws:SourceAccount': stack.account }, ...(arn ? { ArnLike: { 'aws:SourceArn': arn } } : {}) };
  return { key: service === 'events.amazonaws.com' ? undefined : full, topic: full };
}

/** A KMS-encrypted SNS topic that every Groundwork stack sends operator alerts to. */
export class OperatorNotifications extends Construct {
  /** The encrypted topic. */
  readonly topic: sns.Topic;
  /** The customer-managed key encrypting it. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: OperatorNotificationsProps = {}) {
    super(scope, id);
    const emails = props.operatorEmails ?? [];
    for (const email of emails) {
      if (!EMAIL.test(email)) {
        throw new Error(`OperatorNotifications: operatorEmails contains "${email}", which is not an e-mail address; use name@domain.tld`);
      }
    }
    const publishers = props.publisherServices ?? ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com'];
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      alias: 'alias/groundwork/operator-notifications',
      description: 'Encrypts the Groundwork operator notifications topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const service of publishers) {
      // Each publishing service may use the key only to publish to the topic, and only for this account's resources.
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Publish${sidOf(service)}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: confusedDeputyConditions(service, stack).key,
        }),
      );
    }

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName ?? 'groundwork-operator-notifications',
      displayName: 'Groundwork operator notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const service of publishers) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Publish${sidOf(service)}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: confusedDeputyConditions(service, stack).topic,
        }),
      );
    }
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
