import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import { Construct } from 'constructs';

/** Props of {@link OrganizationAccessAnalyzer}. */
export interface OrganizationAccessAnalyzerProps {
  /**
   * Analyzer name.
   * @default 'groundwork-organization'
   */
  readonly analyzerName?: string;
}

/** An IAM Access Analyzer with the organization as its zone of trust: it reports resources shared outside the organization. */
export class OrganizationAccessAnalyzer extends Construct {
  readonly analyzer: accessanalyzer.CfnAnalyzer;

  constructor(scope: Construct, id: string, props: OrganizationAccessAnalyzerProps = {}) {
    super(scope, id);
    const analyzerName = props.analyzerName ?? 'groundwork-organization';
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,254}$/.test(analyzerName)) {
      throw new Error(`OrganizationAccessAnalyzer: analyzerName "${analyzerName}" is not valid; use 1-255 letters, digits, _ . - starting with a letter`);
    }
    this.analyzer = new accessanalyzer.CfnAnalyzer(this, 'Analyzer', { analyzerName, type: 'ORGANIZATION' });
  }
}
