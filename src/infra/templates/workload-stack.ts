import {
  Aws,
  CfnCondition,
  CfnDeletionPolicy,
  CfnMapping,
  CfnOutput,
  CfnParameter,
  CfnRule,
  Duration,
  Fn,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import { ECS_DEPLOYMENT_CONFIGS, ECS_SHIFTS } from '../../config/aws-limits.js';
import { DESIRED_COUNT_TAG, PLACEHOLDER_IMAGE_TAG } from '../../delivery/placeholder.js';

/** A target group of the service's tasks (blue, and in production green too): IP targets checked on the health path. */
function serviceTargets(scope: Construct, id: string, vpcId: string, port: number, healthPath: string): elbv2.CfnTargetGroup {
  return new elbv2.CfnTargetGroup(scope, id, {
    vpcId,
    targetType: 'ip',
    protocol: 'HTTP',
    port,
    healthCheckPath: healthPath,
    // Two healthy checks 10 s apart put a new task in service in about 20 s (the defaults, 5 × 30 s, take 150 s).
    healthCheckIntervalSeconds: 10,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 3,
    matcher: { httpCode: '200-399' },
    targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: '30' }],
  });
}

/** Properties of {@link WorkloadStack}. */
export interface WorkloadStackProps extends StackProps {
  /**
   * Blue/green (production): blue and green target groups, a test listener, alarms, and, by the ReleaseStrategy
   * parameter, ECS's own blue/green (the ECS controller with a PAUSE hook at POST_TEST_TRAFFIC_SHIFT, listener rules
   * and the role ECS moves them with) or CodeDeploy (the CODE_DEPLOY controller, the application and deployment group
   * with auto-rollback); a deploy role that only the cicd release role may assume and that may only release this service.
   * @default false (rolling ECS deployments with the circuit breaker, for staging)
   */
  readonly blueGreen?: boolean;
}

/**
 * A workload environment as a generic StackSet-ready template: a VPC over two AZs with no NAT gateway (tasks in public
 * subnets by default; a parameter moves them to private subnets reached through VPC endpoints), an ECS Fargate cluster
 * with Container Insights, an ALB with access logs and optional HTTPS, the service with target-tracking scaling, and the
 * deploy role, allowed only what a deploy of this service needs. Staging deploys rolling with the circuit breaker,
 * trusted by the cicd delivery role; production (`blueGreen`) deploys blue/green through CodeDeploy, trusted by the
 * release role.
 */
export class WorkloadStack extends Stack {
  constructor(scope: Construct, id: string, props: WorkloadStackProps = {}) {
    super(scope, id, props);
    const blueGreen = props.blueGreen ?? false;
    const p = (name: string, options: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(this, name, options);
    const serviceName = p('ServiceName', {
      type: 'String',
      default: 'backend-service',
      description: 'Name of the ECS service (and its container family).',
      allowedPattern: '^[A-Za-z0-9-]{1,32}$',
    });
    const environment = p('EnvironmentName', {
      type: 'String',
      default: blueGreen ? 'prod' : 'staging',
      description: 'Environment name, used in resource names.',
      allowedPattern: '^[a-z0-9-]{1,20}$',
    });
    const image = p('InitialImage', {
      type: 'String',
      default: '',
      description:
        'Empty (what groundwork deploy passes): the service is created with 0 tasks and a task definition that is never run, and the first delivery scales it to DesiredCount. Or the image-uri (by digest) of a first build-and-push to start with it running.',
    });
    const port = p('ContainerPort', { type: 'Number', default: 8080, minValue: 1, maxValue: 65535, description: 'Port the container listens on.' });
    const healthPath = p('HealthCheckPath', { type: 'String', default: '/health', allowedPattern: '^/.*$', description: 'Path the load balancer checks.' });
    const cpu = p('Cpu', {
      type: 'String',
      default: '256',
      allowedValues: ['256', '512', '1024', '2048', '4096'],
      description: 'Fargate CPU units of a task.',
    });
    const memory = p('MemoryMiB', { type: 'String', default: '512', description: 'Task memory in MiB, within what Fargate allows for the CPU.' });
    const desired = p('DesiredCount', { type: 'Number', default: 2, minValue: 1, maxValue: 100, description: 'Tasks running.' });
    const maxCount = p('MaxCount', { type: 'Number', default: 4, minValue: 1, maxValue: 100, description: 'Most tasks target-tracking scaling may run.' });
    const placement = p('TaskSubnets', {
      type: 'String',
      default: 'public',
      allowedValues: ['public', 'private'],
      description:
        'public: tasks get public IPs and no NAT is needed (cheapest). private: tasks in private subnets, reaching ECR, S3 and CloudWatch Logs through VPC endpoints.',
    });
    const certificate = p('CertificateArn', { type: 'String', default: '', description: 'ACM certificate for HTTPS on 443; empty serves HTTP on 80 only.' });
    const retention = p('LogRetentionDays', {
      type: 'Number',
      default: '30',
      allowedValues: ['7', '14', '30', '60', '90', '180', '365'],
      description: 'Retention of the container logs.',
    });
    const imageAccount = p('ImageAccountId', {
      type: 'String',
      description: 'Account ID of the cicd account, whose ECR repository holds the images: the only repository the tasks may pull from.',
      allowedPattern: '^[0-9]{12}$',
    });
    const imageRepository = p('ImageRepositoryName', {
      type: 'String',
      default: 'backend-service',
      description: 'The ECR repository (in ImageAccountId, this region) the tasks pull the image from.',
      allowedPattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$',
    });
    const deliveryRole = blueGreen
      ? p('ReleaseRoleArn', {
          type: 'String',
          description:
            "ARN of the cicd account's release role (only the release job in the production environment, on a release tag, gets it): the only principal that may assume the deploy role.",
          allowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
        })
      : p('DeliveryRoleArn', {
          type: 'String',
          description:
            "ARN of the cicd account's delivery role (only the deploy job in the staging environment gets it): the only principal that may assume the deploy role.",
          allowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
        });
    const deployRoleName = p('DeployRoleName', { type: 'String', default: 'groundwork-deploy', description: 'Name of the deploy role.' });

    // Without an image the service exists with 0 tasks: its task definition names the placeholder, which is never
    // pulled, and the first delivery (src/delivery/first-deployment.ts) registers the real image and scales it up.
    const hasImage = new CfnCondition(this, 'HasInitialImage', { expression: Fn.conditionNot(Fn.conditionEquals(image.valueAsString, '')) });
    const startCount = Token.asNumber(Fn.conditionIf(hasImage.logicalId, desired.valueAsNumber, 0));
    const isPrivate = new CfnCondition(this, 'PrivateTasks', { expression: Fn.conditionEquals(placement.valueAsString, 'private') });
    const https = new CfnCondition(this, 'Https', { expression: Fn.conditionNot(Fn.conditionEquals(certificate.valueAsString, '')) });

    // Network: two AZs, public and isolated subnets, no NAT gateway; flow logs of rejected traffic.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH });
    vpc.addFlowLog('RejectedTraffic', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', { vpc, description: 'VPC endpoints: HTTPS from the VPC', allowAllOutbound: false });
    endpointSg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS from tasks in the VPC');
    (endpointSg.node.defaultChild as ec2.CfnSecurityGroup).cfnOptions.condition = isPrivate;
    Validations.of(endpointSg).acknowledge({ id: 'AwsSolutions-EC23', reason: "ingress is the VPC's own CIDR (a token cdk-nag cannot read), on 443 only" });
    for (const [id, service] of [
      ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      const endpoint = vpc.addInterfaceEndpoint(id, {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [endpointSg],
        open: false,
      });
      (endpoint.node.defaultChild as ec2.CfnVPCEndpoint).cfnOptions.condition = isPrivate;
    }
    const s3Endpoint = vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    (s3Endpoint.node.defaultChild as ec2.CfnVPCEndpoint).cfnOptions.condition = isPrivate;

    // Load balancer access logs: SSE-S3 (what ELB delivery supports), TLS only, expiring.
    const elbAccounts = new CfnMapping(this, 'ElbAccount', {
      mapping: Object.fromEntries(RegionInfo.regions.filter((r) => r.elbv2Account).map((r) => [r.name, { id: r.elbv2Account as string }])),
      lazy: false,
    });
    const albLogs = new s3.Bucket(this, 'AlbLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    (albLogs.node.defaultChild as s3.CfnBucket).cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    const logPrefix = `arn:${Aws.PARTITION}:s3:::${albLogs.bucketName}/alb/AWSLogs/${Aws.ACCOUNT_ID}/*`;
    albLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElbLogDelivery',
        principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logPrefix],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    albLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElbLogDeliveryOlderRegions',
        principals: [new iam.ArnPrincipal(Fn.sub('arn:${AWS::Partition}:iam::${Elb}:root', { Elb: elbAccounts.findInMap(Aws.REGION, 'id') }))],
        actions: ['s3:PutObject'],
        resources: [logPrefix],
      }),
    );
    Validations.of(albLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'this bucket receives the load balancer access logs; logging its own access would log the logs',
    });

    const albSg = new ec2.SecurityGroup(this, 'AlbSecurityGroup', { vpc, description: 'Load balancer: HTTP(S) from the internet', allowAllOutbound: false });
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from the internet');
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet');
    Validations.of(albSg).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'a public web service: the load balancer must accept HTTP(S) from anywhere; tasks accept traffic only from it',
    });
    const taskSg = new ec2.SecurityGroup(this, 'TaskSecurityGroup', { vpc, description: 'Tasks: the container port from the load balancer only' });
    taskSg.addIngressRule(albSg, ec2.Port.tcpRange(1, 65535), 'the container port, from the load balancer');
    albSg.addEgressRule(taskSg, ec2.Port.tcpRange(1, 65535), 'to the tasks');

    const alb = new elbv2.CfnLoadBalancer(this, 'Alb', {
      scheme: 'internet-facing',
      type: 'application',
      subnets: vpc.publicSubnets.map((s) => s.subnetId),
      securityGroups: [albSg.securityGroupId],
      loadBalancerAttributes: [
        { key: 'access_logs.s3.enabled', value: 'true' },
        { key: 'access_logs.s3.bucket', value: albLogs.bucketName },
        { key: 'access_logs.s3.prefix', value: 'alb' },
        { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        { key: 'deletion_protection.enabled', value: 'false' },
      ],
    });
    const targets = serviceTargets(this, 'Targets', vpc.vpcId, port.valueAsNumber, healthPath.valueAsString);
    // Port 80 forwards to the service, or, with a certificate, redirects to HTTPS.
    const http = new elbv2.CfnListener(this, 'Http', {
      loadBalancerArn: alb.ref,
      port: 80,
      protocol: 'HTTP',
      defaultActions: [{ type: 'forward', targetGroupArn: targets.ref }],
    });
    http.cfnOptions.condition = new CfnCondition(this, 'HttpOnly', { expression: Fn.conditionEquals(certificate.valueAsString, '') });
    const redirect = new elbv2.CfnListener(this, 'HttpRedirect', {
      loadBalancerArn: alb.ref,
      port: 80,
      protocol: 'HTTP',
      defaultActions: [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    redirect.cfnOptions.condition = https;
    const httpsListener = new elbv2.CfnListener(this, 'HttpsListener', {
      loadBalancerArn: alb.ref,
      port: 443,
      protocol: 'HTTPS',
      certificates: [{ certificateArn: certificate.valueAsString }],
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      defaultActions: [{ type: 'forward', targetGroupArn: targets.ref }],
    });
    httpsListener.cfnOptions.condition = https;

    // The service.
    const cluster = new ecs.CfnCluster(this, 'Cluster', {
      clusterName: environment.valueAsString,
      clusterSettings: [{ name: 'containerInsights', value: 'enabled' }],
    });
    const logGroup = new logs.CfnLogGroup(this, 'ServiceLogs', { retentionInDays: retention.valueAsNumber });
    const executionRole = new iam.CfnRole(this, 'ExecutionRole', {
      description: 'Pulls the image and writes the container logs',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      policies: [
        {
          policyName: 'pull-and-log',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
              {
                Sid: 'PullTheImage',
                Effect: 'Allow',
                Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
                Resource: Fn.sub('arn:${AWS::Partition}:ecr:${AWS::Region}:${Account}:repository/${Repo}', {
                  Account: imageAccount.valueAsString,
                  Repo: imageRepository.valueAsString,
                }),
              },
              {
                Sid: 'WriteLogs',
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: Fn.join('', [logGroup.attrArn, ':*']),
              },
            ],
          },
        },
      ],
    });
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken supports no resource-level permissions',
    });
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<ServiceLogs.Arn>:*]',
      reason: 'log streams of the service log group are named per task',
    });
    const taskRole = new iam.CfnRole(this, 'TaskRole', {
      description: 'The application: no AWS permissions until the service needs some',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
    });
    const taskDefinition = new ecs.CfnTaskDefinition(this, 'TaskDefinition', {
      family: serviceName.valueAsString,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: cpu.valueAsString,
      memory: memory.valueAsString,
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      executionRoleArn: executionRole.attrArn,
      taskRoleArn: taskRole.attrArn,
      containerDefinitions: [
        {
          name: 'app',
          image: Fn.conditionIf(
            hasImage.logicalId,
            image.valueAsString,
            Fn.sub(`\${Account}.dkr.ecr.\${AWS::Region}.\${AWS::URLSuffix}/\${Repo}:${PLACEHOLDER_IMAGE_TAG}`, {
              Account: imageAccount.valueAsString,
              Repo: imageRepository.valueAsString,
            }),
          ).toString(),
          essential: true,
          readonlyRootFilesystem: true,
          portMappings: [{ containerPort: port.valueAsNumber, protocol: 'tcp' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': logGroup.ref, 'awslogs-region': Aws.REGION, 'awslogs-stream-prefix': 'app' } },
        },
      ],
    });
    const service = new ecs.CfnService(this, 'Service', {
      serviceName: serviceName.valueAsString,
      cluster: cluster.ref,
      launchType: 'FARGATE',
      taskDefinition: taskDefinition.ref,
      desiredCount: startCount,
      healthCheckGracePeriodSeconds: 30,
      ...(blueGreen
        ? { deploymentController: { type: 'CODE_DEPLOY' } }
        : {
            deploymentController: { type: 'ECS' },
            deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 200 },
          }),
      networkConfiguration: {
        awsvpcConfiguration: {
          assignPublicIp: Fn.conditionIf(isPrivate.logicalId, 'DISABLED', 'ENABLED').toString(),
          subnets: Fn.conditionIf(
            isPrivate.logicalId,
            vpc.isolatedSubnets.map((s) => s.subnetId),
            vpc.publicSubnets.map((s) => s.subnetId),
          ) as unknown as string[],
          securityGroups: [taskSg.securityGroupId],
        },
      },
      loadBalancers: [{ containerName: 'app', containerPort: port.valueAsNumber, targetGroupArn: targets.ref }],
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
    });
    // The target group must be attached to a listener before the service uses it; the listener is conditional, so the
    // service refers to whichever exists instead of a DependsOn (which cannot name a conditional resource).
    // The count the first delivery scales a service created with 0 tasks to.
    service.tags.setTag(DESIRED_COUNT_TAG, desired.valueAsString);
    service.tags.setTag('groundwork:listener', Fn.conditionIf(http.cfnOptions.condition?.logicalId as string, http.ref, httpsListener.ref).toString());

    const scaling = new autoscaling.CfnScalableTarget(this, 'ScalingTarget', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: Fn.sub('service/${Cluster}/${Service}', { Cluster: cluster.ref, Service: service.attrName }),
      // Registering a minimum above the current count scales the service to it at once: 0 until it has an image.
      minCapacity: startCount,
      maxCapacity: maxCount.valueAsNumber,
    });
    new autoscaling.CfnScalingPolicy(this, 'CpuTracking', {
      policyName: 'cpu-60',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: scaling.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 60,
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        scaleInCooldown: 120,
        scaleOutCooldown: 60,
      },
    });

    // The deploy role: the delivery role of the cicd account (staging) or its release role (production), and only it,
    // may deploy this one service.
    const serviceArn = Fn.sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/${Cluster}/${Service}', {
      Cluster: cluster.ref,
      Service: serviceName.valueAsString,
    });
    const taskDefinitions = {
      Sid: 'TaskDefinitions',
      Effect: 'Allow',
      Action: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
      Resource: '*',
    };
    // The run-URL and version tags on the revision it registers; never a service's tags (groundwork:desired-count
    // decides how many tasks a first deployment starts) nor any other resource's.
    const tagTaskDefinitions = {
      Sid: 'TagTaskDefinitions',
      Effect: 'Allow',
      Action: 'ecs:TagResource',
      Resource: Fn.sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/*'),
    };
    const passRoles = {
      Sid: 'PassTheTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [executionRole.attrArn, taskRole.attrArn],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    };
    const deployStatements = blueGreen
      ? [
          taskDefinitions,
          tagTaskDefinitions,
          ...this.blueGreen({
            environment: environment.valueAsString,
            serviceName: serviceName.valueAsString,
            cluster,
            service,
            alb,
            albSg,
            blue: targets,
            vpc,
            port: port.valueAsNumber,
            healthPath: healthPath.valueAsString,
            certificate: certificate.valueAsString,
            https,
            productionListener: Fn.conditionIf(https.logicalId, httpsListener.ref, http.ref).toString(),
            serviceArn,
            containerName: 'app',
          }),
          passRoles,
        ]
      : [
          taskDefinitions,
          tagTaskDefinitions,
          // ListTagsForResource: the configured count, which a first delivery scales a service created with 0 tasks to.
          { Sid: 'TheService', Effect: 'Allow', Action: ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:ListTagsForResource'], Resource: serviceArn },
          {
            Sid: 'TheServiceUrl',
            Effect: 'Allow',
            Action: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeLoadBalancers'],
            Resource: '*',
          },
          passRoles,
        ];
    const deployRole = new iam.CfnRole(this, 'DeployRole', {
      roleName: deployRoleName.valueAsString,
      description: blueGreen
        ? 'Groundwork release: registers task definitions and deploys one service through its CodeDeploy group; assumable only by the cicd release role'
        : 'Groundwork delivery: registers task definitions and updates one ECS service; assumable only by the cicd delivery role',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: deliveryRole.valueAsString }, Action: 'sts:AssumeRole' }],
      },
      policies: [{ policyName: 'deploy', policyDocument: { Version: '2012-10-17', Statement: deployStatements } }],
    });
    Validations.of(deployRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: blueGreen
        ? 'RegisterTaskDefinition, DescribeTaskDefinition and the ELB Describe calls support no resource-level permissions; CodeDeploy is limited to this application, group and configuration, DescribeServices to this service, PassRole to its two roles'
        : 'RegisterTaskDefinition, DescribeTaskDefinition and the ELB Describe calls support no resource-level permissions; UpdateService and PassRole are limited to this service and its two roles',
    });
    Validations.of(deployRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/*]',
      reason:
        'TagResource on the revisions it registers, whose family:revision ARN is not known before RegisterTaskDefinition; no service or other resource may be tagged',
    });

    new CfnOutput(this, 'ServiceUrl', {
      value: Fn.conditionIf(https.logicalId, Fn.sub('https://${Dns}', { Dns: alb.attrDnsName }), Fn.sub('http://${Dns}', { Dns: alb.attrDnsName })).toString(),
    });
    new CfnOutput(this, 'ClusterName', { value: cluster.ref });
    new CfnOutput(this, 'DeployRoleArn', { value: deployRole.attrArn });
  }

  /**
   * The blue/green half of production: the green target group, the test listener (reachable only from TestTrafficCidr),
   * alarms on each target group, and by ReleaseStrategy either ECS's own blue/green on the service (listener rules, the
   * ECS load balancer role, the deployment configuration with the pause hook) or the CodeDeploy application and
   * deployment group with auto-rollback on failure and on alarm. Returns the deploy role's statements for either.
   */
  private blueGreen(props: {
    environment: string;
    serviceName: string;
    cluster: ecs.CfnCluster;
    service: ecs.CfnService;
    alb: elbv2.CfnLoadBalancer;
    albSg: ec2.SecurityGroup;
    blue: elbv2.CfnTargetGroup;
    vpc: ec2.Vpc;
    port: number;
    healthPath: string;
    certificate: string;
    https: CfnCondition;
    productionListener: string;
    serviceArn: string;
    containerName: string;
  }): Record<string, unknown>[] {
    const p = (name: string, options: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(this, name, options);
    const config = p('DeploymentConfig', {
      type: 'String',
      default: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      allowedValues: [...ECS_DEPLOYMENT_CONFIGS],
      description: 'How CodeDeploy shifts production traffic to the new tasks (default: 10% for 5 minutes, then all).',
    });
    const bake = p('BakeMinutes', {
      type: 'Number',
      default: 10,
      minValue: 0,
      maxValue: 1440,
      description:
        "Minutes the old tasks stay after the shift (alarms still roll back) before they are terminated; at most 1440 (ECS's limit, kept for CodeDeploy too).",
    });
    const readyWait = p('ReadyWaitMinutes', {
      type: 'Number',
      default: 30,
      minValue: 1,
      maxValue: 2880,
      description: 'Minutes the deployment waits at the test listener for the release to continue it (after its smoke check); then it stops.',
    });
    const testPort = p('TestListenerPort', {
      type: 'Number',
      default: 9000,
      minValue: 1,
      maxValue: 65535,
      description: 'Port of the test listener, where the new tasks answer before production traffic moves.',
    });
    const testCidr = p('TestTrafficCidr', {
      type: 'String',
      default: '10.0.0.0/16',
      allowedPattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$',
      description: 'Who may reach the test listener (the smoke check runner: self-hosted runners, or larger runners with static IPs). Never 0.0.0.0/0.',
    });
    new CfnRule(this, 'TestListenerNotPublic', {
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionEquals(testCidr.valueAsString, '0.0.0.0/0')),
          assertDescription: 'TestTrafficCidr must not be 0.0.0.0/0: the test listener serves versions not yet released',
        },
      ],
    });
    const max5xx = p('Max5xxPercent', {
      type: 'Number',
      default: 5,
      minValue: 0,
      maxValue: 100,
      description: 'Share of 5xx answers from the new tasks (per minute, over 2 minutes) that rolls the release back.',
    });
    const extraAlarms = p('ExtraAlarmNames', {
      type: 'CommaDelimitedList',
      default: '',
      description: 'Names of CloudWatch alarms of this account and region that also roll a release back (comma-separated); empty for none.',
    });
    const hasExtra = new CfnCondition(this, 'HasExtraAlarms', { expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', extraAlarms.valueAsList), '')) });
    const strategy = p('ReleaseStrategy', {
      type: 'String',
      default: 'ecs',
      allowedValues: ['ecs', 'codedeploy'],
      description:
        "Who runs the release: ecs (ECS's own blue/green; a pause hook after test traffic waits for the release's smoke check) or codedeploy (CodeDeploy for ECS).",
    });
    const ecsRelease = new CfnCondition(this, 'EcsRelease', { expression: Fn.conditionEquals(strategy.valueAsString, 'ecs') });
    const codeDeployRelease = new CfnCondition(this, 'CodeDeployRelease', { expression: Fn.conditionEquals(strategy.valueAsString, 'codedeploy') });
    // The same shift as the CodeDeploy configuration, made by ECS (src/config/aws-limits.ts, ECS_SHIFTS).
    const shifts = new CfnMapping(this, 'EcsShift', {
      mapping: Object.fromEntries(
        Object.entries(ECS_SHIFTS).map(([name, shift]) => [name, { Strategy: shift.strategy, Percent: shift.percent, StepMinutes: shift.stepMinutes }]),
      ),
      lazy: false,
    });
    const shift = (key: 'Strategy' | 'Percent' | 'StepMinutes') => shifts.findInMap(config.valueAsString, key);
    const canary = new CfnCondition(this, 'EcsCanary', { expression: Fn.conditionEquals(shift('Strategy'), 'CANARY') });
    const linear = new CfnCondition(this, 'EcsLinear', { expression: Fn.conditionEquals(shift('Strategy'), 'LINEAR') });

    const green = serviceTargets(this, 'GreenTargets', props.vpc.vpcId, props.port, props.healthPath);
    props.albSg.addIngressRule(ec2.Peer.ipv4(testCidr.valueAsString), ec2.Port.tcp(testPort.valueAsNumber), 'the test listener, from TestTrafficCidr only');
    const testListener = new elbv2.CfnListener(this, 'TestListener', {
      loadBalancerArn: props.alb.ref,
      port: testPort.valueAsNumber,
      protocol: Fn.conditionIf(props.https.logicalId, 'HTTPS', 'HTTP').toString(),
      certificates: Fn.conditionIf(
        props.https.logicalId,
        [{ CertificateArn: props.certificate }],
        Aws.NO_VALUE,
      ) as unknown as elbv2.CfnListener.CertificateProperty[],
      sslPolicy: Fn.conditionIf(props.https.logicalId, 'ELBSecurityPolicy-TLS13-1-2-2021-06', Aws.NO_VALUE).toString(),
      defaultActions: [{ type: 'forward', targetGroupArn: props.blue.ref }],
    });

    // Alarms on both target groups: blue and green swap roles at each release, and the new tasks are in either.
    const alarmNames: string[] = [];
    for (const [label, group] of [
      ['blue', props.blue],
      ['green', green],
    ] as const) {
      const id = label === 'blue' ? 'Blue' : 'Green';
      const dimensions = [
        { name: 'TargetGroup', value: group.attrTargetGroupFullName },
        { name: 'LoadBalancer', value: props.alb.attrLoadBalancerFullName },
      ];
      const errors = new cloudwatch.CfnAlarm(this, `${id}5xxRate`, {
        alarmName: Fn.sub(`\${Env}-\${Service}-${label}-5xx-rate`, { Env: props.environment, Service: props.serviceName }),
        alarmDescription: `5xx answers of the ${label} target group above Max5xxPercent: rolls a release back`,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: max5xx.valueAsNumber,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: 'notBreaching',
        metrics: [
          {
            id: 'errors',
            returnData: false,
            metricStat: { metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions }, period: 60, stat: 'Sum' },
          },
          {
            id: 'requests',
            returnData: false,
            metricStat: { metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions }, period: 60, stat: 'Sum' },
          },
          { id: 'rate', label: '5xx %', expression: 'IF(requests > 0, 100 * errors / requests, 0)', returnData: true },
        ],
      });
      const unhealthy = new cloudwatch.CfnAlarm(this, `${id}Unhealthy`, {
        alarmName: Fn.sub(`\${Env}-\${Service}-${label}-unhealthy`, { Env: props.environment, Service: props.serviceName }),
        alarmDescription: `unhealthy tasks in the ${label} target group: rolls a release back`,
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        dimensions,
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
      alarmNames.push(errors.ref, unhealthy.ref);
    }

    // The extra alarms, however many, as one composite alarm: in ALARM when any of them is.
    const extra = new cloudwatch.CfnCompositeAlarm(this, 'ExtraAlarms', {
      alarmName: Fn.sub('${Env}-${Service}-extra-alarms', { Env: props.environment, Service: props.serviceName }),
      alarmDescription: 'any of ExtraAlarmNames: rolls a release back',
      alarmRule: Fn.join('', ['ALARM("', Fn.join('") OR ALARM("', extraAlarms.valueAsList), '")']),
      actionsEnabled: false,
    });
    extra.cfnOptions.condition = hasExtra;

    // ECS's own blue/green: a listener rule on each listener (ECS moves them between the two target groups), the role ECS
    // changes them with, and the service's deployment configuration with the pause hook after test traffic.
    const productionRule = new elbv2.CfnListenerRule(this, 'ProductionRule', {
      listenerArn: props.productionListener,
      priority: 1,
      conditions: [{ field: 'path-pattern', pathPatternConfig: { values: ['/*'] } }],
      actions: [{ type: 'forward', targetGroupArn: props.blue.ref }],
    });
    productionRule.cfnOptions.condition = ecsRelease;
    const testRule = new elbv2.CfnListenerRule(this, 'TestRule', {
      listenerArn: testListener.ref,
      priority: 1,
      conditions: [{ field: 'path-pattern', pathPatternConfig: { values: ['/*'] } }],
      actions: [{ type: 'forward', targetGroupArn: green.ref }],
    });
    testRule.cfnOptions.condition = ecsRelease;
    const ecsRole = new iam.CfnRole(this, 'EcsLoadBalancerRole', {
      description: "ECS moves this service's listener rules between its blue and green target groups during a release",
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
      managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers')],
    });
    ecsRole.cfnOptions.condition = ecsRelease;
    Validations.of(ecsRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      reason:
        "the policy AWS documents for ECS's blue/green infrastructure role (describe and modify listeners, rules and target groups); only ECS of this account may assume the role, and the service names only this stack's rules and target groups",
    });
    props.service.deploymentController = Fn.conditionIf(
      ecsRelease.logicalId,
      { Type: 'ECS' },
      { Type: 'CODE_DEPLOY' },
    ) as unknown as ecs.CfnService.DeploymentControllerProperty;
    props.service.deploymentConfiguration = Fn.conditionIf(
      ecsRelease.logicalId,
      {
        Strategy: shift('Strategy'),
        BakeTimeInMinutes: bake.valueAsNumber,
        CanaryConfiguration: Fn.conditionIf(canary.logicalId, { CanaryPercent: shift('Percent'), CanaryBakeTimeInMinutes: shift('StepMinutes') }, Aws.NO_VALUE),
        LinearConfiguration: Fn.conditionIf(linear.logicalId, { StepPercent: shift('Percent'), StepBakeTimeInMinutes: shift('StepMinutes') }, Aws.NO_VALUE),
        Alarms: { AlarmNames: [...alarmNames, Fn.conditionIf(hasExtra.logicalId, extra.ref, Aws.NO_VALUE)], Enable: true, Rollback: true },
        // The release's smoke check runs while this hook waits; no answer within ReadyWaitMinutes rolls the release back.
        LifecycleHooks: [
          {
            TargetType: 'PAUSE',
            LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            TimeoutConfiguration: { TimeoutInMinutes: readyWait.valueAsNumber, Action: 'ROLLBACK' },
          },
        ],
      },
      Aws.NO_VALUE,
    ) as unknown as ecs.CfnService.DeploymentConfigurationProperty;
    props.service.loadBalancers = [
      {
        containerName: props.containerName,
        containerPort: props.port,
        targetGroupArn: props.blue.ref,
        advancedConfiguration: Fn.conditionIf(
          ecsRelease.logicalId,
          { AlternateTargetGroupArn: green.ref, ProductionListenerRule: productionRule.ref, TestListenerRule: testRule.ref, RoleArn: ecsRole.attrArn },
          Aws.NO_VALUE,
        ) as unknown as ecs.CfnService.AdvancedConfigurationProperty,
      },
    ];

    const codeDeployRole = new iam.CfnRole(this, 'CodeDeployRole', {
      description: 'CodeDeploy shifts traffic between the task sets of this service',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'codedeploy.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
      managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/AWSCodeDeployRoleForECS')],
    });
    Validations.of(codeDeployRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]',
      reason:
        'the policy AWS documents for the CodeDeploy ECS service role (task sets, listener rules, hook Lambdas named CodeDeployHook_*, alarms); only CodeDeploy of this account may assume the role',
    });
    codeDeployRole.cfnOptions.condition = codeDeployRelease;
    const application = new codedeploy.CfnApplication(this, 'Application', {
      applicationName: Fn.sub('${Env}-${Service}', { Env: props.environment, Service: props.serviceName }),
      computePlatform: 'ECS',
    });
    application.cfnOptions.condition = codeDeployRelease;
    const group = new codedeploy.CfnDeploymentGroup(this, 'DeploymentGroup', {
      applicationName: application.ref,
      deploymentGroupName: props.serviceName,
      serviceRoleArn: codeDeployRole.attrArn,
      deploymentConfigName: config.valueAsString,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: readyWait.valueAsNumber },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: bake.valueAsNumber },
      },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      alarmConfiguration: {
        enabled: true,
        ignorePollAlarmFailure: false,
        alarms: [
          ...alarmNames.map((name) => ({ name })),
          Fn.conditionIf(hasExtra.logicalId, { Name: extra.ref }, Aws.NO_VALUE) as unknown as codedeploy.CfnDeploymentGroup.AlarmProperty,
        ],
      },
      ecsServices: [{ clusterName: props.cluster.ref, serviceName: props.service.attrName }],
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: props.blue.attrTargetGroupName }, { name: green.attrTargetGroupName }],
            prodTrafficRoute: { listenerArns: [props.productionListener] },
            testTrafficRoute: { listenerArns: [testListener.ref] },
          },
        ],
      },
    });

    group.cfnOptions.condition = codeDeployRelease;
    const groupArn = Fn.sub('arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${App}/${Group}', {
      App: application.ref,
      Group: group.ref,
    });
    new CfnOutput(this, 'CodeDeployApplication', {
      value: application.ref,
      description: 'codedeploy-application of the release workflow (strategy codedeploy)',
      condition: codeDeployRelease,
    });
    new CfnOutput(this, 'CodeDeployDeploymentGroup', {
      value: group.ref,
      description: 'codedeploy-deployment-group of the release workflow (strategy codedeploy)',
      condition: codeDeployRelease,
    });
    new CfnOutput(this, 'EcsServiceName', {
      value: props.service.attrName,
      description: 'service of the release workflow (strategy ecs); cluster is ClusterName',
    });
    new CfnOutput(this, 'TestUrl', {
      value: Fn.sub('${Scheme}://${Dns}:${Port}', {
        Scheme: Fn.conditionIf(props.https.logicalId, 'https', 'http').toString(),
        Dns: props.alb.attrDnsName,
        Port: testPort.valueAsString,
      }),
      description: 'the test listener: the new version before production traffic moves',
    });
    // Each strategy's statements only with that strategy.
    const onlyWith = (when: CfnCondition, statement: Record<string, unknown>) =>
      Fn.conditionIf(when.logicalId, statement, Aws.NO_VALUE) as unknown as Record<string, unknown>;
    return [
      onlyWith(ecsRelease, { Sid: 'ReleaseThroughTheService', Effect: 'Allow', Action: 'ecs:ListServiceDeployments', Resource: props.serviceArn }),
      onlyWith(ecsRelease, {
        Sid: 'ItsServiceDeployments',
        Effect: 'Allow',
        Action: ['ecs:DescribeServiceDeployments', 'ecs:ContinueServiceDeployment', 'ecs:StopServiceDeployment'],
        Resource: Fn.sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service-deployment/${Cluster}/${Service}/*', {
          Cluster: props.cluster.ref,
          Service: props.serviceName,
        }),
      }),
      ...[
        {
          Sid: 'ReleaseThroughTheGroup',
          Effect: 'Allow',
          Action: [
            'codedeploy:CreateDeployment',
            'codedeploy:GetDeployment',
            'codedeploy:GetDeploymentGroup',
            'codedeploy:ListDeployments',
            'codedeploy:ListDeploymentTargets',
            'codedeploy:BatchGetDeploymentTargets',
            'codedeploy:ContinueDeployment',
            'codedeploy:StopDeployment',
          ],
          Resource: groupArn,
        },
        {
          Sid: 'TheApplicationRevision',
          Effect: 'Allow',
          Action: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
          Resource: Fn.sub('arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:application:${App}', { App: application.ref }),
        },
        {
          Sid: 'TheDeploymentConfig',
          Effect: 'Allow',
          Action: 'codedeploy:GetDeploymentConfig',
          Resource: Fn.sub('arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentconfig:${Config}', { Config: config.valueAsString }),
        },
      ].map((statement) => onlyWith(codeDeployRelease, statement)),
      // UpdateService for the count only (ECS refuses a task definition change of a CODE_DEPLOY service): the first
      // release scales a service created with 0 tasks to its configured count, read from its tags.
      {
        Sid: 'TheService',
        Effect: 'Allow',
        Action: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTagsForResource'],
        Resource: props.serviceArn,
      },
      {
        Sid: 'TheTestListenerUrl',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroups'],
        Resource: '*',
      },
    ];
  }
}
