/**
 * Containment as synthesized into the home stack: what `remediation.enabled` adds, what it must
 * not add (a secret value, an unconditioned invoke permission), and how a contained event
 * detection's rule reaches the notifier. The packaged settings file and the EventBridge input
 * are checked by running the real functions' code on them.
 */
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import { mockClient } from "aws-sdk-client-mock";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { build, resourcesOf, synthJson, type TerraformJson } from "../helpers";
import { SETTINGS_FILE, SETTINGS_VARIABLE } from "../../src/containment/constants";
import { loadSettings, parseSettings } from "../../src/containment/settings";
import { createNotifier } from "../../src/containment/notifier";
import { SigningKeys } from "../../src/containment/signing-key";
import { readLink } from "../../src/containment/claims";
import { cloudTrailRecordToEvent } from "../../src/patterns/event-envelope";
import { KEY, NOW, record, serveSigningKey } from "../support/containment";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REMEDIATION = {
  enabled: true,
  actions: {
    "s3-bucket-created": "lock-s3-bucket",
    "iam-access-key-created": "deactivate-access-key",
    "security-group-rule-changed": "revoke-public-ingress",
  },
};

const built = build({ remediation: REMEDIATION } as any);
const json: TerraformJson = synthJson(built.home);
const one = (type: string) => {
  const rs = resourcesOf(json, type);
  expect(rs).toHaveLength(1);
  return rs[0];
};
const functionNamed = (name: string) =>
  resourcesOf(json, "aws_lambda_function").find((f) => f.function_name === name)!;

describe("with remediation enabled the home stack has", () => {
  test("the endpoint: an HTTP API with GET and POST /contain only, throttled, access-logged without query strings", () => {
    expect(one("aws_apigatewayv2_api")).toMatchObject({
      name: "trailwatch-containment",
      protocol_type: "HTTP",
    });
    expect(
      resourcesOf(json, "aws_apigatewayv2_route")
        .map((r) => r.route_key)
        .sort(),
    ).toEqual(["GET /contain", "POST /contain"]);
    expect(one("aws_apigatewayv2_integration")).toMatchObject({
      integration_type: "AWS_PROXY",
      payload_format_version: "2.0",
      timeout_milliseconds: 30000,
    });
    const stage = one("aws_apigatewayv2_stage");
    expect(stage).toMatchObject({
      name: "$default",
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 5, throttling_burst_limit: 10 },
    });
    const format = JSON.parse(stage.access_log_settings.format);
    expect(format).toMatchObject({
      sourceIp: "$context.identity.sourceIp",
      route: "$context.routeKey",
    });
    expect(JSON.stringify(format)).not.toMatch(/querystring|rawQuery|path/i);
    const logs = resourcesOf(json, "aws_cloudwatch_log_group").find(
      (g) => g.name === "/aws/apigateway/trailwatch-containment",
    );
    expect(logs).toMatchObject({ retention_in_days: 365 });
    expect(logs!.kms_key_id).toMatch(/^\$\{aws_kms_key\.containment_key_[\w]+\.arn\}$/);
  });

  test("no function URL, and the containment functions' only invoke permissions are API Gateway's route and each contained rule", () => {
    expect(json.resource.aws_lambda_function_url).toBeUndefined();
    const perms = resourcesOf(json, "aws_lambda_permission").filter((p) =>
      String(p.function_name).includes("containment"),
    );
    expect(perms.map((p) => [p.principal, p.source_arn])).toEqual([
      [
        "apigateway.amazonaws.com",
        expect.stringMatching(
          /^\$\{aws_apigatewayv2_api\.[\w]+\.execution_arn\}\/\*\/\*\/contain$/,
        ),
      ],
      [
        "events.amazonaws.com",
        expect.stringMatching(
          /^\$\{aws_cloudwatch_event_rule\.detections_iam-access-key-created-rule_\w+\.arn\}$/,
        ),
      ],
      [
        "events.amazonaws.com",
        expect.stringMatching(
          /^\$\{aws_cloudwatch_event_rule\.detections_security-group-rule-changed-rule_\w+\.arn\}$/,
        ),
      ],
    ]);
    for (const p of perms) expect(p.action).toBe("lambda:InvokeFunction");
  });

  test("the handler and the notifier: bundled, their settings split between the package and one variable", () => {
    const handler = functionNamed("trailwatch-containment");
    const notifier = functionNamed("trailwatch-containment-notifier");
    expect(handler).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], timeout: 29 });
    expect(notifier).toMatchObject({
      timeout: 30,
      dead_letter_config: { target_arn: expect.stringContaining("aws_sqs_queue.containment_dlq") },
    });
    expect(handler.reserved_concurrent_executions).toBeUndefined();
    const variable = JSON.parse(handler.environment.variables[SETTINGS_VARIABLE]);
    expect(variable).toEqual({
      baseUrl: expect.stringMatching(/^\$\{aws_apigatewayv2_api\.\w+\.api_endpoint\}\/contain$/),
      secretId: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}$/),
      topicArn: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/),
    });
    expect(notifier.environment.variables).toEqual(handler.environment.variables);

    const pkg = built.home.containment!.handler.package;
    const files = unzipSync(readFileSync(pkg.zipPath));
    expect(Object.keys(files).sort()).toEqual(["containment-settings.json", "index.js"]);
    const dir = mkdtempSync(path.join(tmpdir(), "containment-settings-"));
    try {
      writeFileSync(path.join(dir, SETTINGS_FILE), files[SETTINGS_FILE]);
      const s = loadSettings(
        {
          [SETTINGS_VARIABLE]: JSON.stringify({
            baseUrl: "https://x.execute-api.ap-northeast-1.amazonaws.com/contain",
            secretId: "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:k",
            topicArn: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
          }),
        },
        dir,
      );
      expect(s).toMatchObject({
        account: "111122223333",
        table: "trailwatch-containment-links",
        topicArn: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
        expirySeconds: 3600,
        objectLockDays: 7,
        actions: REMEDIATION.actions,
        protectedPrefix: "trailwatch-",
        roleArn: "arn:aws:iam::111122223333:role/trailwatch-containment",
      });
      expect([...s.protectedNames].sort()).toEqual([
        "trailwatch-athena-111122223333-ap-northeast-1",
        "trailwatch-cloudtrail-111122223333-ap-northeast-1",
        "trailwatch-s3-access-111122223333-ap-northeast-1",
        "trailwatch-tfstate-111122223333",
      ]);
      expect(s.detections["s3-bucket-created"]).toMatchObject({
        title: "S3 bucket created",
        severity: "low",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The bundle carries the handler and the AWS SDK, not the synth-time code.
    const bundle = new TextDecoder().decode(files["index.js"]);
    expect(bundle).not.toMatch(/TerraformStack|require\("cdktf"\)|zod/);
  });

  test("the signing key: a KMS-encrypted secret with no value in Terraform, readable only by the containment functions", () => {
    const secret = one("aws_secretsmanager_secret");
    expect(secret).toMatchObject({
      name: "trailwatch-containment-link-key",
      recovery_window_in_days: 0,
    });
    expect(secret.kms_key_id).toMatch(/aws_kms_key\.containment_key/);
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/random_password|secret_string/);
    const p = one("aws_secretsmanager_secret_policy");
    expect(p.block_public_policy).toBe(true);
    expect(JSON.parse(p.policy).Statement[0].Condition).toEqual({
      ArnNotEquals: {
        "aws:PrincipalArn": [
          "arn:aws:iam::111122223333:role/trailwatch-containment",
          "arn:aws:iam::111122223333:role/trailwatch-containment-notifier",
          "arn:aws:iam::111122223333:role/trailwatch-alert-enrichment",
        ],
      },
    });
  });

  test("the used-link table: on demand, TTL on expiresAt, encrypted with the containment key, point-in-time recovery", () => {
    expect(one("aws_dynamodb_table")).toMatchObject({
      name: "trailwatch-containment-links",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      attribute: [{ name: "pk", type: "S" }],
      ttl: { attribute_name: "expiresAt", enabled: true },
      server_side_encryption: {
        enabled: true,
        kms_key_arn: expect.stringMatching(/aws_kms_key\.containment_key/),
      },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: false,
    });
  });

  test("the dead-letter queue is encrypted, TLS-only, and alarms into the alert topic", () => {
    const queue = resourcesOf(json, "aws_sqs_queue").find(
      (q) => q.name === "trailwatch-containment-notifier-dlq",
    )!;
    expect(queue).toMatchObject({
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    const policy = resourcesOf(json, "aws_sqs_queue_policy")
      .map((p) => JSON.parse(p.policy))
      .find((p) => p.Statement[0].Sid === "EventBridgeRulesOfThisAccount")!;
    expect(policy.Statement.map((x: { Sid: string }) => x.Sid)).toEqual([
      "EventBridgeRulesOfThisAccount",
      "DenyInsecureTransport",
    ]);
    const alarm = resourcesOf(json, "aws_cloudwatch_metric_alarm").find(
      (a) => a.alarm_name === "trailwatch-containment-notifications-failed",
    )!;
    expect(alarm).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "trailwatch-containment-notifier-dlq" },
      threshold: 1,
    });
    expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.alerts_topic/)]);
  });

  test("the alarm enrichment function can sign: containment settings packaged, key statements in its role", () => {
    const fn = functionNamed("trailwatch-alert-enrichment");
    expect(JSON.parse(fn.environment.variables[SETTINGS_VARIABLE])).toEqual(
      JSON.parse(functionNamed("trailwatch-containment").environment.variables[SETTINGS_VARIABLE]),
    );
    const pkg = built.home.enrichment!.fn.package;
    expect(Object.keys(unzipSync(readFileSync(pkg.zipPath))).sort()).toEqual([
      "catalog.json",
      "containment-settings.json",
      "index.js",
    ]);
    const sids = JSON.parse(
      resourcesOf(json, "aws_iam_role_policy").find((p) =>
        String(p.role).includes("alert-enrichment"),
      )!.policy,
    ).Statement.map((x: { Sid: string }) => x.Sid);
    expect(sids).toEqual(
      expect.arrayContaining(["ReadOrCreateTheSigningKey", "UseTheKeyForTheSigningKey"]),
    );
  });
});

describe("contained event detections reach the notifier", () => {
  const targets = resourcesOf(json, "aws_cloudwatch_event_target");
  const targetOf = (id: string) => targets.find((t) => t.rule.includes(`detections_${id}-rule`))!;

  test("contained detections target the notifier (with retries and the dead-letter queue); the others keep the topic", () => {
    for (const id of ["iam-access-key-created", "security-group-rule-changed"])
      expect(targetOf(id)).toMatchObject({
        target_id: "containment-notifier",
        arn: expect.stringMatching(/aws_lambda_function\.containment_notifier_function/),
        retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
        dead_letter_config: { arn: expect.stringMatching(/aws_sqs_queue\.containment_dlq/) },
      });
    expect(targetOf("nacl-changed")).toMatchObject({ target_id: "alert-topic" });
  });

  test("what EventBridge hands the notifier for a real record yields the alert with a working link", async () => {
    const template: string = targetOf("iam-access-key-created").input_transformer.input_template;
    const event = cloudTrailRecordToEvent(record("c64c4ded-ef03-4e5c-81eb-153b118d72f2"));
    const input = JSON.parse(template.replace("<aws.events.event.json>", JSON.stringify(event)));
    const secrets = mockClient(SecretsManagerClient);
    const sns = mockClient(SNSClient);
    try {
      serveSigningKey(secrets);
      sns.on(PublishCommand).resolves({});
      const pkg = built.home.containment!.notifier.package;
      const file = new TextDecoder().decode(unzipSync(readFileSync(pkg.zipPath))[SETTINGS_FILE]);
      const settings = parseSettings(
        JSON.stringify({
          ...JSON.parse(file),
          account: "946986569305",
          baseUrl: "https://x.execute-api.ap-northeast-1.amazonaws.com/contain",
          secretId: "s",
          topicArn: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
        }),
      );
      await createNotifier({
        settings,
        keys: new SigningKeys(
          new SecretsManagerClient({ region: "ap-northeast-1" }),
          "s",
          () => NOW,
        ),
        sns: new SNSClient({ region: "ap-northeast-1" }),
        now: () => NOW,
        log: () => undefined,
      })(input);
      const message = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
      const url = message.split("\n").find((l) => l.startsWith("https://"))!;
      expect(readLink(url.slice(url.indexOf("?") + 1), [KEY], NOW)).toMatchObject({
        action: "deactivate-access-key",
        detection: "iam-access-key-created",
      });
      expect(message).toContain("Investigate: Check requestParameters.userName");
    } finally {
      secrets.restore();
      sns.restore();
    }
  });
});

describe("with remediation off (the default)", () => {
  test("nothing of containment is deployed and every rule targets the topic", () => {
    const off = synthJson(build().home);
    for (const type of ["aws_apigatewayv2_api", "aws_secretsmanager_secret", "aws_dynamodb_table"])
      expect(off.resource[type]).toBeUndefined();
    expect(JSON.stringify(off)).not.toMatch(/containment/);
    expect(
      new Set(resourcesOf(off, "aws_cloudwatch_event_target").map((t) => t.target_id)),
    ).toEqual(new Set(["alert-topic", "alert-enrichment"]));
    expect(off.output?.containment_url).toBeUndefined();
  });
});
