import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import { Construct } from 'constructs';

/** Props of {@link OrganizationAccessAnalyzer}. */
export interface OrganizationAccessAnalyzerProps {
  /**
   * What the analyzer looks for: resources shared outside the organization (`ORGANIZATION`, free), or unused roles,
   * keys, passwords and permissions (`ORGANIZATION_UNUSED_ACCESS`, priced per IAM role and user analyzed).
   * @default 'ORGANIZATION'
   */
  readonly type?: 'ORGANIZATION' | 'ORGANIZATION_UNUSED_ACCESS';
  /**
   * Analyzer name.
   * @default 'groundwork-organization', or 'groundwork-organization-unused-access' for the unused-access type
   */
  readonly analyzerName?: string;
  /**
   * Days without use after which access counts as unused (1-365); only for the unused-access type.
   * @default 90
   */
  readonly unusedAccessAgeDays?: number;
}

/** An IAM Access Analyzer with the organization as its zone of trust: external access, or unused access. */
export class OrganizationAccessAnalyzer extends Construct {
  readonly analyzer: accessanalyzer.CfnAnalyzer;

  constructor(scope: Construct, id: string, props: OrganizationAccessAnalyzerProps = {}) {
    super(scope, id);
    const type = props.type ?? 'ORGANIZATION';
    const analyzerName = props.analyzerName ?? (type === 'ORGANIZATION' ? 'groundwork-organization' : 'groundwork-organization-unused-access');
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,254}$/.test(analyzerName)) {
      throw new Error(`OrganizationAccessAnalyzer: analyzerName "${analyzerName}" is not valid; use 1-255 letters, digits, _ . - starting with a letter`);
    }
    const unusedAccessAge = props.unusedAccessAgeDays ?? 90;
    if (type === 'ORGANIZATION_UNUSED_ACCESS' && (!Number.isInteger(unusedAccessAge) || unusedAccessAge < 1 || unusedAccessAge > 365)) {
      throw new Error(`OrganizationAccessAnalyzer: unusedAccessAgeDays ${unusedAccessAge} is out of range; use 1 to 365 days`);
    }
    this.analyzer = new accessanalyzer.CfnAnalyzer(this, 'Analyzer', {
      analyzerName,
      type,
      ...(type === 'ORGANIZATION_UNUSED_ACCESS' ? { analyzerConfiguration: { unusedAccessConfiguration: { unusedAccessAge } } } : {}),
    });
  }
}
