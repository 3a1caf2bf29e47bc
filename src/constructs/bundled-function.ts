import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { packageLambda, type LambdaPackage } from "../lambda/package";
import { policy, renderPolicy, type PolicyDocument, type Statement } from "../policy";

/** Lambda runtime of trailwatch's functions (Node.js 22: nodejs20.x reaches end of support in 2026). */
export const LAMBDA_RUNTIME = "nodejs22.x";
/** Graviton: cheaper per GB-second than x86_64 for the same work (AWS Lambda pricing). */
export const LAMBDA_ARCHITECTURE = "arm64";

export interface BundledFunctionProps {
  /** Function name; its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  readonly description: string;
  /** Handler entry relative to the repository root (exports `handler`), e.g. `src/alerts/handler.ts`. */
  readonly entry: string;
  /** Files packaged beside the bundle (name → text), e.g. a catalog generated at synth. @default none */
  readonly files?: Readonly<Record<string, string>>;
  /** Environment variables (at most 4 KB in total, Lambda's limit). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * What the function may do, as statements of its role's inline policy. Writing to its own log
   * group is added here; nothing else is.
   */
  readonly permissions: readonly Statement[];
  /** Key that encrypts the function's log group (its policy must admit CloudWatch Logs for it). */
  readonly logKmsKeyArn: string;
  /** Days the function's own logs are kept. */
  readonly logRetentionDays: number;
  /** Seconds one invocation may run. */
  readonly timeoutSeconds: number;
  /** @default 256 */
  readonly memoryMb?: number;
  /** Concurrent executions reserved (and capped); undefined leaves the function unreserved. */
  readonly reservedConcurrency?: number;
  /** SQS queue receiving asynchronous invocations that failed every retry. @default none */
  readonly deadLetterQueueArn?: string;
  /** Account and region, for the log group ARN in the role's policy. */
  readonly account: string;
  readonly region: string;
}

/**
 * A Lambda function from a TypeScript handler in this repository: bundled with esbuild into a
 * deterministic zip (src/lambda/package.ts, cached under dist/lambda), deployed through a cdktf
 * `TerraformAsset`, with its own role, and its own KMS-encrypted log group with retention
 * (created first, so Lambda never creates an unencrypted one without retention).
 */
export class BundledFunction extends Construct {
  readonly package: LambdaPackage;
  readonly asset: TerraformAsset;
  readonly role: IamRole;
  readonly trustPolicy: PolicyDocument;
  readonly permissions: PolicyDocument;
  readonly logGroup: CloudwatchLogGroup;
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    checkEnvironmentSize(props.functionName, props.environment ?? {});
    this.package = packageLambda({ entry: props.entry, files: props.files });
    this.asset = new TerraformAsset(this, "code", {
      path: this.package.zipPath,
      type: AssetType.FILE,
      assetHash: this.package.sha256Hex,
    });
    const logGroupName = `/aws/lambda/${props.functionName}`;
    const logGroupArn = `arn:aws:logs:${props.region}:${props.account}:log-group:${logGroupName}`;
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    // Lambda's documented execution-role trust policy: only the Lambda service may assume it,
    // and only someone allowed iam:PassRole on it in this account can attach it to a function.
    this.trustPolicy = policy({
      Sid: "LambdaService",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
    this.role = new IamRole(this, "role", {
      name: props.functionName,
      description: `Execution role of the ${props.functionName} Lambda function`,
      assumeRolePolicy: renderPolicy(this.trustPolicy),
    });
    this.permissions = policy(
      {
        // Not logs:CreateLogGroup: the group exists, encrypted and with retention.
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:log-stream:*`,
      },
      ...props.permissions,
    );
    const rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: "permissions",
      role: this.role.id,
      policy: renderPolicy(this.permissions),
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description.slice(0, 256),
      filename: this.asset.path,
      sourceCodeHash: this.package.sourceCodeHash,
      handler: "index.handler",
      runtime: LAMBDA_RUNTIME,
      architectures: [LAMBDA_ARCHITECTURE],
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role.arn,
      environment: props.environment ? { variables: { ...props.environment } } : undefined,
      deadLetterConfig: props.deadLetterQueueArn
        ? { targetArn: props.deadLetterQueueArn }
        : undefined,
      loggingConfig: { logFormat: "JSON", logGroup: logGroupName },
      // The role's permissions (its DLQ, its log group) must exist before the first invocation.
      dependsOn: [this.logGroup, rolePolicy],
    });
  }
}

/** Lambda refuses environment variables over 4 KB in total (keys and values, UTF-8). */
export const MAX_ENVIRONMENT_BYTES = 4096;

function checkEnvironmentSize(name: string, env: Readonly<Record<string, string>>): void {
  // Unresolved Terraform references count as their placeholder text: ARNs are of similar length.
  const bytes = Object.entries(env).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (bytes > MAX_ENVIRONMENT_BYTES)
    throw new Error(
      `${name}: environment variables take ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}-byte limit; package the data as a file instead`,
    );
}
