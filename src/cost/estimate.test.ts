import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost } from './estimate.js';
import { ASSUMPTIONS, PRICES } from './price-table.js';

// A small template, priced by hand: one KMS key ($1.00), one internet-facing ALB in 2 subnets (730 × (0.0225 +
// 0.1 × 0.008) = $17.009 → $17.01, plus 2 public IPv4 addresses 2 × 730 × 0.005 = $7.30), a Fargate service of 3 tasks
// of 0.5 vCPU and 1 GB with public IPs (3 × 730 × (0.5 × 0.04048 + 1 × 0.004445) = $54.058… → $54.06, plus 3 × 730 × 0.005
// = $10.95), a NAT gateway only when private (left out here), and an interface endpoint in 2 subnets when private.
const template = {
  Parameters: { Tasks: { Default: '1' }, Subnets: { Default: 'public' } },
  Conditions: { Private: { 'Fn::Equals': [{ Ref: 'Subnets' }, 'private'] } },
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Subnets: [{ Ref: 'A' }, { Ref: 'B' }] } },
    Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '512', Memory: '1024' } },
    Service: {
      Type: 'AWS::ECS::Service',
      Properties: {
        DesiredCount: { Ref: 'Tasks' },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: { 'Fn::If': ['Private', 'DISABLED', 'ENABLED'] } } },
      },
    },
    Nat: { Type: 'AWS::EC2::NatGateway', Condition: 'Private' },
    Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Condition: 'Private', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
    Role: { Type: 'AWS::IAM::Role' },
  },
};

describe('estimateMonthlyCost', () => {
  it('matches hand-computed figures, with the parameters and conditions of the deployment', () => {
    const estimate = estimateMonthlyCost([{ account: 'prod', name: 'app', template, parameters: { Tasks: '3' }, workload: true }]);
    expect(estimate.lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ['KMS keys', 1, 1],
      ['Application Load Balancer', 1, 17.01],
      ['public IPv4 (load balancer, one per AZ)', 2, 7.3],
      ['Fargate tasks (0.5 vCPU, 1 GB)', 3, 54.06],
      ['public IPv4 (one per task)', 3, 10.95],
    ]);
    expect(estimate).toMatchObject({ workloadsUsd: 90.32, foundationUsd: 0, totalUsd: 90.32, accounts: [{ account: 'prod', monthlyUsd: 90.32 }] });

    // Private tasks: no public IPs for them, a NAT gateway (730 × 0.045 = $32.85) and one endpoint in 2 AZs (2 × 730 × 0.01 = $14.60).
    const privately = estimateMonthlyCost([{ account: 'prod', name: 'app', template, parameters: { Tasks: '3', Subnets: 'private' } }]);
    expect(privately.lines.map((l) => [l.item, l.monthlyUsd])).toEqual([
      ['KMS keys', 1],
      ['Application Load Balancer', 17.01],
      ['public IPv4 (load balancer, one per AZ)', 7.3],
      ['Fargate tasks (0.5 vCPU, 1 GB)', 54.06],
      ['NAT gateways', 32.85],
      ['interface VPC endpoints (per AZ)', 14.6],
    ]);
    expect(privately.foundationUsd).toBe(126.82);
  });

  it('charges budgets past the 2 free ones of the payer account once, with Cost Explorer requests', () => {
    const budgets = { Resources: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`B${i}`, { Type: 'AWS::Budgets::Budget' }])) };
    const estimate = estimateMonthlyCost([{ account: 'management', name: 'cost', template: budgets }]);
    // 3 × 30.4 × $0.02 = $1.824 → $1.82; 100 requests × $0.01 = $1.00.
    expect(estimate.lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ['AWS Budgets', 5, 1.82],
      ['Cost Explorer API requests', ASSUMPTIONS.costExplorerRequests.value, 1],
    ]);
  });

  it('lists every priced item with the date it was read and its source', () => {
    for (const price of Object.values(PRICES)) {
      expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
    }
    expect(estimateMonthlyCost([]).prices.length).toBe(Object.keys(PRICES).length);
  });
});
