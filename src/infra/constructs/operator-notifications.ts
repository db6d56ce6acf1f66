import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
   * Service principals allowed to publish (budgets, pipelines, scheduled statements).
   * @default ['budgets.amazonaws.com', 'codestar-notifications.amazonaws.com', 'events.amazonaws.com']
   */
  readonly publisherServices?: readonly string[];
  /**
   * Topic name.
   * @default 'groundwork-operator-notifications'
   */
  readonly topicName?: string;
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
    const publishers = props.publisherServices ?? ['budgets.amazonaws.com', 'codestar-notifications.amazonaws.com', 'events.amazonaws.com'];

    this.key = new kms.Key(this, 'Key', {
      alias: 'alias/groundwork/operator-notifications',
      description: 'Encrypts the Groundwork operator notifications topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPublisherServices',
        principals: publishers.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName ?? 'groundwork-operator-notifications',
      displayName: 'Groundwork operator notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPublisherServices',
        principals: publishers.map((service) => new iam.ServicePrincipal(service)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
