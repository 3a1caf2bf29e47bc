/**
 * The BundledFunction construct: a TerraformAsset of the cached, deterministic package, wired into
 * aws_lambda_function with its own role and encrypted log group.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BundledFunction, type BundledFunctionProps } from "../../src/constructs/bundled-function";
import { resourcesOf } from "../helpers";

const props: BundledFunctionProps = {
  functionName: "trailwatch-echo",
  description: "test function",
  entry: "__tests__/fixtures/lambda/echo.ts",
  files: { "data.json": '{"x":1}' },
  environment: { TOPIC: "arn:aws:sns:ap-northeast-1:111122223333:t" },
  permissions: [
    { Sid: "Publish", Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:x:1:t" },
  ],
  logKmsKeyArn: "arn:aws:kms:ap-northeast-1:111122223333:key/k",
  logRetentionDays: 365,
  timeoutSeconds: 30,
  reservedConcurrency: 2,
  deadLetterQueueArn: "arn:aws:sqs:ap-northeast-1:111122223333:dlq",
  account: "111122223333",
  region: "ap-northeast-1",
};

function stackWith(p: BundledFunctionProps) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  const fn = new BundledFunction(stack, "echo", p);
  return { app, stack, fn };
}

test("the function deploys the cached package: arm64, Node.js 22, hash, DLQ, concurrency", () => {
  const { stack, fn } = stackWith(props);
  const json = JSON.parse(Testing.synth(stack));
  const [f] = resourcesOf(json, "aws_lambda_function");
  expect(f).toMatchObject({
    function_name: "trailwatch-echo",
    runtime: "nodejs22.x",
    architectures: ["arm64"],
    handler: "index.handler",
    timeout: 30,
    memory_size: 256,
    reserved_concurrent_executions: 2,
    source_code_hash: fn.package.sourceCodeHash,
    dead_letter_config: { target_arn: props.deadLetterQueueArn },
    logging_config: { log_format: "JSON", log_group: "/aws/lambda/trailwatch-echo" },
    environment: { variables: props.environment },
  });
  expect(f.filename).toMatch(
    new RegExp(`^assets/[^/]+/${fn.package.sha256Hex}/${path.basename(fn.package.zipPath)}$`),
  );
  expect(f.depends_on).toHaveLength(2);
  const [lg] = resourcesOf(json, "aws_cloudwatch_log_group");
  expect(lg).toMatchObject({
    name: "/aws/lambda/trailwatch-echo",
    retention_in_days: 365,
    kms_key_id: props.logKmsKeyArn,
  });
  const [role] = resourcesOf(json, "aws_iam_role");
  expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
    {
      Sid: "LambdaService",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ]);
  const [policy] = resourcesOf(json, "aws_iam_role_policy");
  expect(JSON.parse(policy.policy).Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
    "WriteOwnLogs",
    "Publish",
  ]);
  expect(JSON.parse(policy.policy).Statement[0].Resource).toBe(
    "arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/lambda/trailwatch-echo:log-stream:*",
  );
});

test("a full synth copies the zip into the stack's assets; a re-synth renders the same JSON", () => {
  const first = stackWith(props);
  const out = first.app.outdir;
  try {
    first.app.synth();
    const stackDir = path.join(out, "stacks", "s");
    const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    const [f] = resourcesOf(json, "aws_lambda_function");
    const zip = path.join(stackDir, f.filename);
    expect(existsSync(zip)).toBe(true);
    expect(readFileSync(zip)).toEqual(readFileSync(first.fn.package.zipPath));
    const again = stackWith(props);
    expect(again.fn.package.cache).toBe("hit");
    try {
      again.app.synth();
      const file = (dir: string) =>
        readFileSync(path.join(dir, "stacks", "s", "cdk.tf.json"), "utf8");
      expect(file(again.app.outdir)).toBe(file(out));
    } finally {
      rmSync(again.app.outdir, { recursive: true, force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("environment variables over Lambda's 4 KB are refused with the function's name", () => {
  expect(() => stackWith({ ...props, environment: { BIG: "x".repeat(4100) } })).toThrow(
    /trailwatch-echo: environment variables take 4103 bytes, over Lambda's 4096-byte limit/,
  );
});
