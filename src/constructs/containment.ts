import { Construct } from "constructs";
import { Token } from "cdktf";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { ActionId } from "../containment/action";
import type { RemediationConfig } from "../containment/config";
import {
  CONTAIN_PATH,
  HANDLER_TIMEOUT_SECONDS,
  PARTITION_KEY,
  SETTINGS_FILE,
  SETTINGS_VARIABLE,
  TTL_ATTRIBUTE,
} from "../containment/constants";
import type { StaticSettings } from "../containment/settings";
import type { Detection } from "../detections/types";
import type { Names } from "../names";
import { renderPolicy, type PolicyDocument, type Statement } from "../policy";
import { BundledFunction } from "./bundled-function";
import { PrivateQueue } from "./private-queue";
import {
  containmentHandlerPolicy,
  containmentKeyPolicy,
  notifierPolicy,
  signerStatements,
  signingKeySecretPolicy,
  type ContainmentPolicyInput,
} from "./containment-policies";

/** Names of the containment resources, all under the configuration's prefix. */
export function containmentNames(n: Names) {
  const p = n.resourcePrefix;
  return {
    handler: `${p}containment`,
    notifier: `${p}containment-notifier`,
    table: `${p}containment-links`,
    secret: `${p}containment-link-key`,
    api: `${p}containment`,
    keyAlias: `alias/${p}containment`,
    deadLetterQueue: `${p}containment-notifier-dlq`,
    accessLogGroup: `/aws/apigateway/${p}containment`,
    role: (fn: string) => `arn:aws:iam::${n.account}:role/${fn}`,
  };
}

export interface ContainmentProps {
  readonly names: Names;
  readonly remediation: RemediationConfig;
  /** The enabled detections whose notifications carry a link (texts for the messages). */
  readonly detections: readonly Detection[];
  readonly alertTopicArn: string;
  /**
   * With `alerts.routes`: severity -> the ARN of its route's topic; notifications and follow-ups
   * of a detection go to its severity's topic. @default `alertTopicArn` for every severity
   */
  readonly routeTopicArns?: Readonly<Record<string, string>>;
  /** The key that encrypts the alert topic (publishing needs it). */
  readonly topicKeyArn: string;
  /** The key that encrypts trailwatch's function log groups. */
  readonly logKmsKeyArn: string;
  /** Days the functions' and the endpoint's logs are kept. */
  readonly logRetentionDays: number;
  /** trailwatch's own buckets: no action ever touches them. */
  readonly protectedBuckets: readonly string[];
  /**
   * Roles of other functions that sign links (the alarm enrichment function), admitted by the
   * signing key's resource policy. @default none
   */
  readonly otherSignerRoleArns?: readonly string[];
}

/** Requests per second and burst the endpoint accepts: people clicking, not machines. */
export const ENDPOINT_RATE_LIMIT = 5;
export const ENDPOINT_BURST_LIMIT = 10;

/**
 * One-click containment (README "Containment"): the HTTPS endpoint that shows the confirmation
 * page and acts on POST, the notifier that signs links into event notifications, the signing key,
 * the ledger of used links, and their encryption key.
 *
 * Endpoint: an API Gateway HTTP API, not a Lambda function URL. A function URL with AuthType NONE
 * needs, since October 2025, a `lambda:InvokeFunction` statement conditioned on
 * `lambda:InvokedViaFunctionUrl`, which the AWS provider can express only from 6.28 (our bindings
 * are 6.25, the validation mirror 5.100); without the condition anyone could invoke the function
 * directly. The HTTP API's permission is scoped to its own two routes, and it adds throttling and
 * access logs (who fetched or posted which route, from where) independent of the function.
 *
 * Signing key: a Secrets Manager secret Terraform creates without a value; the first signer
 * generates the key (src/containment/signing-key.ts). Terraform's `random_password` would put the
 * key in the state in clear (and the random provider is not available offline here); an ephemeral
 * resource with a write-only attribute would need AWS access during every plan. Only the
 * containment functions may read or write the value (the secret's resource policy).
 */
export class Containment extends Construct {
  readonly key: KmsKey;
  readonly table: DynamodbTable;
  readonly secret: SecretsmanagerSecret;
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly handler: BundledFunction;
  readonly notifier: BundledFunction;
  readonly deadLetterQueue: SqsQueue;
  /** The URL links point at: `https://<api id>.execute-api.<region>.amazonaws.com/contain`. */
  readonly url: string;
  readonly handlerPolicy: PolicyDocument;
  readonly notifierPolicy: PolicyDocument;
  readonly secretPolicy: PolicyDocument;
  readonly keyPolicy: PolicyDocument;
  readonly deadLetterQueuePolicy: PolicyDocument;
  /** Detection id -> action, for the rules that target the notifier. */
  readonly actions: Readonly<Record<string, ActionId>>;
  /** Statements a function needs to sign links (add them to the alarm enrichment's role). */
  readonly signerStatements: readonly Statement[];
  /** The settings file and variable a function that signs links needs beside its code. */
  readonly signerPackage: {
    readonly files: Readonly<Record<string, string>>;
    readonly environment: Readonly<Record<string, string>>;
  };

  constructor(scope: Construct, id: string, props: ContainmentProps) {
    super(scope, id);
    const n = props.names;
    const cn = containmentNames(n);
    const region = n.homeRegion;
    const account = n.account;
    const r = props.remediation;
    this.actions = r.actions;

    const accessLogGroupArn = `arn:aws:logs:${region}:${account}:log-group:${cn.accessLogGroup}`;
    this.keyPolicy = containmentKeyPolicy(account, region, accessLogGroupArn);
    this.key = new KmsKey(this, "key", {
      description:
        "trailwatch containment: encrypts the link signing key, the used-link table and the endpoint's access logs",
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: renderPolicy(this.keyPolicy),
    });
    new KmsAlias(this, "key-alias", { name: cn.keyAlias, targetKeyId: this.key.keyId });

    this.table = new DynamodbTable(this, "table", {
      name: cn.table,
      billingMode: "PAY_PER_REQUEST",
      hashKey: PARTITION_KEY,
      attribute: [{ name: PARTITION_KEY, type: "S" }],
      ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
      // Security Hub DynamoDB.2; the table holds a few KB, so recovery costs next to nothing.
      pointInTimeRecovery: { enabled: true },
      // Not deletion protection: `remediation.enabled: false` must be able to remove it, and a
      // deleted table fails closed (no link can be claimed, so none acts).
      deletionProtectionEnabled: false,
    });

    this.secret = new SecretsmanagerSecret(this, "signing-key", {
      name: cn.secret,
      description:
        "trailwatch containment: HMAC-SHA256 key that signs containment links (value created by the first signer, never by Terraform)",
      kmsKeyId: this.key.arn,
      // Deleted at once: the key is worth nothing beyond the links in flight, and a recovery
      // window would block turning remediation off and on again (the name stays reserved).
      recoveryWindowInDays: 0,
    });

    const input: ContainmentPolicyInput = {
      account,
      region,
      actions: [...new Set(Object.values(r.actions))].sort(),
      protectedBuckets: props.protectedBuckets,
      prefix: n.resourcePrefix,
      tableArn: this.table.arn,
      secretArn: this.secret.arn,
      containmentKeyArn: this.key.arn,
      alertTopicArn: props.alertTopicArn,
      ...(props.routeTopicArns
        ? { routeTopicArns: [...new Set(Object.values(props.routeTopicArns))].sort() }
        : {}),
      topicKeyArn: props.topicKeyArn,
    };
    this.signerStatements = signerStatements(input);
    this.secretPolicy = signingKeySecretPolicy([
      cn.role(cn.handler),
      cn.role(cn.notifier),
      ...(props.otherSignerRoleArns ?? []),
    ]);
    new SecretsmanagerSecretPolicy(this, "signing-key-policy", {
      secretArn: this.secret.arn,
      policy: renderPolicy(this.secretPolicy),
      blockPublicPolicy: true,
    });

    this.api = new Apigatewayv2Api(this, "api", {
      name: cn.api,
      protocolType: "HTTP",
      description: "trailwatch containment links: confirmation page (GET) and action (POST)",
    });
    this.url = `${this.api.apiEndpoint}${CONTAIN_PATH}`;

    const settings: StaticSettings = {
      account,
      table: cn.table,
      expirySeconds: r.linkExpiryMinutes * 60,
      actions: r.actions,
      detections: Object.fromEntries(
        props.detections.map((d) => [
          d.id,
          { title: d.title, severity: d.severity, investigate: d.investigate },
        ]),
      ),
      ...(r.objectLockRetentionDays === null ? {} : { objectLockDays: r.objectLockRetentionDays }),
      protectedNames: [...props.protectedBuckets],
      protectedPrefix: n.resourcePrefix,
      roleArn: cn.role(cn.handler),
    };
    const file = JSON.stringify(settings, null, 2);
    // A packaged file cannot hold a Terraform reference: those travel in the variable.
    if (Token.isUnresolved(file))
      throw new Error("containment settings file: holds a Terraform reference");
    const files = { [SETTINGS_FILE]: file };
    const environment = {
      [SETTINGS_VARIABLE]: JSON.stringify({
        baseUrl: this.url,
        secretId: this.secret.arn,
        topicArn: props.alertTopicArn,
        ...(props.routeTopicArns ? { topicArns: props.routeTopicArns } : {}),
      }),
    };
    this.signerPackage = { files, environment };
    const common = {
      files,
      environment,
      logKmsKeyArn: props.logKmsKeyArn,
      logRetentionDays: props.logRetentionDays,
      account,
      region,
    };

    this.handlerPolicy = containmentHandlerPolicy(input);
    this.handler = new BundledFunction(this, "handler", {
      ...common,
      functionName: cn.handler,
      description:
        "trailwatch containment endpoint: confirmation page on GET, one tightening action on POST",
      entry: "src/containment/http-handler.ts",
      permissions: this.handlerPolicy.Statement,
      timeoutSeconds: HANDLER_TIMEOUT_SECONDS,
    });

    const dlqArn = `arn:aws:sqs:${region}:${account}:${cn.deadLetterQueue}`;
    const dlq = new PrivateQueue(this, "dlq", {
      queueName: cn.deadLetterQueue,
      queueArn: dlqArn,
      grants: [
        {
          // EventBridge's own delivery failures (the function cannot be invoked) land here too.
          Sid: "EventBridgeRulesOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: dlqArn,
          Condition: {
            ArnLike: {
              "aws:SourceArn": `arn:aws:events:${region}:${account}:rule/${n.resourcePrefix}*`,
            },
          },
        },
      ],
    });
    this.deadLetterQueue = dlq.queue;
    this.deadLetterQueuePolicy = dlq.policyDocument;
    this.notifierPolicy = notifierPolicy(input, dlqArn);
    this.notifier = new BundledFunction(this, "notifier", {
      ...common,
      functionName: cn.notifier,
      description:
        "trailwatch containment notifier: the alert sentence plus a signed containment link, to the alert topic",
      entry: "src/containment/notifier.ts",
      permissions: this.notifierPolicy.Statement,
      timeoutSeconds: 30,
      // The reference, not the built ARN: the queue must exist before the function names it.
      deadLetterQueueArn: dlq.queue.arn,
    });
    new CloudwatchMetricAlarm(this, "dlq-alarm", {
      alarmName: `${n.resourcePrefix}containment-notifications-failed`,
      alarmDescription:
        "trailwatch containment: an alert of a detection with a containment link could not be delivered; its events are in the dead-letter queue " +
        cn.deadLetterQueue +
        ". Read them (aws sqs receive-message) and check the notifier's logs.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: cn.deadLetterQueue },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [props.alertTopicArn],
      dependsOn: [this.deadLetterQueue],
    });

    const accessLogs = new CloudwatchLogGroup(this, "access-logs", {
      name: cn.accessLogGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.key.arn,
    });
    const integration = new Apigatewayv2Integration(this, "integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: this.handler.function.invokeArn,
      payloadFormatVersion: "2.0",
      // HTTP APIs wait at most 30 s; the function stops before.
      timeoutMilliseconds: 30000,
    });
    for (const method of ["GET", "POST"]) {
      new Apigatewayv2Route(this, `route-${method.toLowerCase()}`, {
        apiId: this.api.id,
        routeKey: `${method} ${CONTAIN_PATH}`,
        target: `integrations/${integration.id}`,
      });
    }
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: ENDPOINT_RATE_LIMIT,
        throttlingBurstLimit: ENDPOINT_BURST_LIMIT,
      },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        // No query string: it holds the link's signature.
        format: JSON.stringify({
          requestId: "$context.requestId",
          time: "$context.requestTime",
          sourceIp: "$context.identity.sourceIp",
          userAgent: "$context.identity.userAgent",
          route: "$context.routeKey",
          status: "$context.status",
          integrationStatus: "$context.integrationStatus",
          latencyMs: "$context.responseLatency",
        }),
      },
    });
    new LambdaPermission(this, "api-invoke", {
      statementId: "ContainmentApiRoutesOnly",
      action: "lambda:InvokeFunction",
      functionName: this.handler.function.functionName,
      principal: "apigateway.amazonaws.com",
      // Only this API's stage and its /contain routes (any method the routes define).
      sourceArn: `${this.api.executionArn}/*/*${CONTAIN_PATH}`,
    });
  }
}
