import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { GroundworkConfig } from '../config/resolved-config.js';
import type { AccountDirectory } from './account-directory.js';
import { OperatorNotificationsStack } from './stacks/operator-notifications-stack.js';

/** Inputs of {@link buildApp}. */
export interface BuildAppProps {
  readonly config: GroundworkConfig;
  readonly accounts: AccountDirectory;
  /** Cloud assembly folder. @default 'cdk.out' */
  readonly outdir?: string;
}

/** The CDK app with one stack per feature, checked by cdk-nag's AWS Solutions pack on synth. */
export function buildApp(props: BuildAppProps): App {
  const { config, accounts } = props;
  const app = new App({ outdir: props.outdir ?? 'cdk.out' });
  const accountId = (name: string): string => {
    const id = accounts.ids.get(name);
    if (!id) throw new Error(`buildApp: no account ID for "${name}"; known: ${[...accounts.ids.keys()].join(', ')}`);
    return id;
  };
  const management = { account: accountId(config.organization.managementAccount.name), region: config.organization.homeRegion };

  new OperatorNotificationsStack(app, 'GroundworkOperatorNotifications', {
    env: management,
    stackName: 'groundwork-operator-notifications',
    description: 'Groundwork: operator notifications topic and organization access analyzer',
    operatorEmails: config.notifications.operatorEmails,
  });

  Tags.of(app).add('groundwork:managed', 'true');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
