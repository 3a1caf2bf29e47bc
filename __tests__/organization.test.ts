/**
 * trail.mode "organization" (examples/organization.json): an organization trail with the
 * policies AWS documents for it, Athena over every account, and the member accounts' EventBridge
 * forwarding as one service-managed StackSet whose template is rendered from the detection data,
 * evaluated on the real CloudTrail fixtures and whose policies are proven with the IAM simulator.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config/load";
import { resolveNames } from "../src/names";
import { selectDetections } from "../src/detections/select";
import { watchedResources } from "../src/detections/watched";
import { eventPatternOf } from "../src/detections/render";
import { memberDetections, logicalId } from "../src/organization/member-template";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { matchesEventPattern } from "../src/patterns/event-pattern";
import { configProblems, resourcesOf, ROOT, synthJson } from "./helpers";
import { ALL_RECORDS } from "./support/records";
import { decide } from "./support/simulate";

const EXAMPLE = path.join(ROOT, "examples", "organization.json");
const raw = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));
const ACCOUNT = "111122223333";
const MEMBER = "222233334444";
const OUTSIDER = "999988887777";
const ORG = "o-a1b2c3d4e5";
const HOME = "ap-northeast-1";
const TRAIL_ARN = `arn:aws:cloudtrail:${HOME}:${ACCOUNT}:trail/trailwatch`;
const CENTRAL_BUS = `arn:aws:events:${HOME}:${ACCOUNT}:event-bus/default`;

function appOf(input: unknown) {
  const config = parseConfig(input);
  const built = buildApp(config, Testing.app().outdir);
  return { config, ...built, json: synthJson(built.home) };
}

const { config, home, regional, json } = appOf(raw());
const names = resolveNames(config);
const [stackSet] = resourcesOf(json, "aws_cloudformation_stack_set");
const template = JSON.parse(stackSet.template_body);
const detections = selectDetections(config, watchedResources(names));

describe("organization trail", () => {
  test("is an organization trail, multi-region, with prevent_destroy", () => {
    expect(Testing.synth(home)).toHaveResourceWithProperties(Cloudtrail, {
      name: "trailwatch",
      is_organization_trail: true,
      is_multi_region_trail: true,
      include_global_service_events: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("bucket policy: the management account's path and AWSLogs/<org-id>/, both for this trail only", () => {
    const archive = resourcesOf(json, "aws_s3_bucket_policy")
      .map((p) => JSON.parse(p.policy))
      .find((p) => p.Statement.some((s: any) => s.Sid === "CloudTrailWrite"));
    const writes = archive.Statement.filter((s: any) => s.Sid.startsWith("CloudTrailWrite"));
    expect(writes.map((s: any) => [s.Sid, s.Resource, s.Condition.StringEquals])).toEqual([
      [
        "CloudTrailWrite",
        `arn:aws:s3:::trailwatch-cloudtrail-${ACCOUNT}-${HOME}/AWSLogs/${ACCOUNT}/*`,
        { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" },
      ],
      [
        "CloudTrailWriteOrganization",
        `arn:aws:s3:::trailwatch-cloudtrail-${ACCOUNT}-${HOME}/AWSLogs/${ORG}/*`,
        { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" },
      ],
    ]);
  });

  test("CloudTrail may write a member account's log file for this trail, not for another trail", async () => {
    const archive = resourcesOf(json, "aws_s3_bucket_policy")
      .map((p) => JSON.parse(p.policy))
      .find((p) => p.Statement.some((s: any) => s.Sid === "CloudTrailWriteOrganization"));
    const bucket = `arn:aws:s3:::trailwatch-cloudtrail-${ACCOUNT}-${HOME}`;
    const put = (key: string, sourceArn: string) =>
      decide({
        principal: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: `${bucket}/${key}`,
        resourceAccount: ACCOUNT,
        resourcePolicy: archive,
        context: {
          "aws:SourceArn": sourceArn,
          "aws:SourceAccount": ACCOUNT,
          "s3:x-amz-acl": "bucket-owner-full-control",
          "aws:SecureTransport": "true",
        },
      });
    const memberFile = `AWSLogs/${ORG}/${MEMBER}/CloudTrail/eu-west-1/2026/01/31/f.json.gz`;
    expect(await put(memberFile, TRAIL_ARN)).toBe("Allowed");
    expect(await put(`AWSLogs/${ACCOUNT}/CloudTrail/${HOME}/2026/01/31/f.json.gz`, TRAIL_ARN)).toBe(
      "Allowed",
    );
    expect(await put(memberFile, `arn:aws:cloudtrail:${HOME}:${ACCOUNT}:trail/someone-elses`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await put(`AWSLogs/o-zzzzzzzzzz/${MEMBER}/x.json.gz`, TRAIL_ARN)).toBe(
      "ImplicitlyDenied",
    );
  });

  test("Athena projects account (injected), region and day over AWSLogs/<org-id>/", () => {
    const [table] = resourcesOf(json, "aws_glue_catalog_table");
    expect(table.storage_descriptor.location).toBe(
      `s3://trailwatch-cloudtrail-${ACCOUNT}-${HOME}/AWSLogs/${ORG}/`,
    );
    expect(table.partition_keys.map((k: any) => k.name)).toEqual([
      "account",
      "region",
      "timestamp",
    ]);
    expect(table.parameters["projection.account.type"]).toBe("injected");
    expect(table.parameters).not.toHaveProperty(["projection.account.values"]);
  });

  test("alarm descriptions say the events may come from any member account", () => {
    // Detection alarms (the alarm enrichment dead-letter alarm watches an SQS queue).
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").filter(
      (a) => a.namespace === "trailwatch",
    );
    expect(alarms.length).toBeGreaterThan(10);
    for (const a of alarms)
      expect(a.alarm_description).toContain("any member account: recipientAccountId names it");
  });
});

describe("member accounts: StackSet", () => {
  test("service-managed, automatic deployment, named IAM, administration role left to AWS", () => {
    expect(Testing.synth(home)).toHaveResourceWithProperties(CloudformationStackSet, {
      name: "trailwatch-member-forwarding",
      permission_model: "SERVICE_MANAGED",
      auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      call_as: "SELF",
      lifecycle: { ignore_changes: ["administration_role_arn"] },
    });
    expect(stackSet).not.toHaveProperty("administration_role_arn");
  });

  test("one stack instance per monitored region, deployed to the organization root", () => {
    const instances = resourcesOf(json, "aws_cloudformation_stack_set_instance");
    expect(instances.map((i) => i.stack_set_instance_region).sort()).toEqual(
      ["ap-northeast-1", "eu-west-1", "us-east-1"].sort(),
    );
    for (const i of instances) {
      expect(i.deployment_targets).toEqual({ organizational_unit_ids: ["r-a1b2"] });
      expect(i.call_as).toBe("SELF");
      expect(i).not.toHaveProperty("account_id");
    }
  });

  test("the plan does not grow with the organization: 1 OU or 30 OUs, same resources", () => {
    const many = raw();
    many.organization.memberAccounts.deployTo = Array.from(
      { length: 30 },
      (_, i) => `ou-a1b2-${String(i).padStart(8, "0")}`,
    );
    const count = (j: any) =>
      Object.values(j.resource).reduce((n: number, r: any) => n + Object.keys(r).length, 0);
    expect(count(appOf(many).json)).toBe(count(json));
  });

  test("a delegated administrator calls as DELEGATED_ADMIN on the set and every instance; the trail stays the management account's", () => {
    const input = raw();
    input.accountId = "555566667777";
    input.state.bucket = "trailwatch-tfstate-555566667777";
    input.organization.managementAccountId = ACCOUNT;
    const j = appOf(input).json;
    expect(resourcesOf(j, "aws_cloudformation_stack_set")[0].call_as).toBe("DELEGATED_ADMIN");
    for (const i of resourcesOf(j, "aws_cloudformation_stack_set_instance"))
      expect(i.call_as).toBe("DELEGATED_ADMIN");
    const key = JSON.parse(resourcesOf(j, "aws_kms_key")[0].policy);
    const encrypt = key.Statement.find((s: any) => s.Sid === "CloudTrailEncryptLogs");
    expect(encrypt.Condition).toEqual({
      StringEquals: { "aws:SourceArn": TRAIL_ARN },
      StringLike: {
        "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`,
      },
    });
  });

  test("central bus policy admits the organization only, a few hundred bytes (limit 10 KB)", async () => {
    const [busPolicy] = resourcesOf(json, "aws_cloudwatch_event_bus_policy");
    expect(busPolicy.event_bus_name).toBe("default");
    expect(Buffer.byteLength(busPolicy.policy)).toBeLessThan(1024);
    const doc = JSON.parse(busPolicy.policy);
    // Cross-account: the caller's own IAM policy must allow it too (here: everything).
    const put = (principal: string, orgId: string) =>
      decide({
        principal,
        action: "events:PutEvents",
        resource: CENTRAL_BUS,
        resourceAccount: ACCOUNT,
        resourcePolicy: doc,
        identityPolicies: [
          { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        ],
        context: { "aws:PrincipalOrgID": orgId },
      });
    const memberRole = `arn:aws:iam::${MEMBER}:role/trailwatch-org-forward-eu-west-1`;
    expect(await put(memberRole, ORG)).toBe("Allowed");
    expect(await put(`arn:aws:iam::${OUTSIDER}:role/attacker`, "o-zzzzzzzzzz")).toBe(
      "ImplicitlyDenied",
    );
  });

  test("nothing of it in create mode, in regional stacks, or with memberAccounts left out", () => {
    for (const r of regional)
      expect(synthJson(r).resource).not.toHaveProperty(["aws_cloudformation_stack_set"]);
    const input = raw();
    delete input.organization.memberAccounts;
    const j = appOf(input).json;
    expect(j.resource).not.toHaveProperty(["aws_cloudformation_stack_set"]);
    expect(j.resource).not.toHaveProperty(["aws_cloudwatch_event_bus_policy"]);
  });
});

describe("organization mode: what it must not create", () => {
  test("one trail only (the organization trail), no stack or resource per member account", () => {
    expect(resourcesOf(json, "aws_cloudtrail")).toHaveLength(1);
    for (const r of regional) expect(synthJson(r).resource).not.toHaveProperty(["aws_cloudtrail"]);
    // Stacks follow the monitored regions, never the accounts: the home stack and one per region.
    expect([home, ...regional].map((s) => s.node.id).sort()).toEqual(
      ["trailwatch-ap-northeast-1", "trailwatch-eu-west-1", "trailwatch-us-east-1"].sort(),
    );
    // No member account id appears anywhere: members are reached through the StackSet's targets.
    for (const s of [home, ...regional]) expect(Testing.synth(s)).not.toContain(MEMBER);
    expect(stackSet.template_body).not.toContain(MEMBER);
  });

  test("create mode gets none of it: no organization trail, StackSet or bus policy", () => {
    const created = raw();
    created.trail.mode = "create";
    delete created.organization;
    const j = appOf(created).json;
    const [trail] = resourcesOf(j, "aws_cloudtrail");
    expect(trail.is_organization_trail).toBeUndefined();
    expect(j.resource).not.toHaveProperty(["aws_cloudformation_stack_set"]);
    expect(j.resource).not.toHaveProperty(["aws_cloudformation_stack_set_instance"]);
    expect(j.resource).not.toHaveProperty(["aws_cloudwatch_event_bus_policy"]);
    expect(JSON.stringify(j)).not.toContain(ORG);
  });
});

describe("member accounts: the template", () => {
  const rules = Object.entries(template.Resources).filter(
    ([, r]: [string, any]) => r.Type === "AWS::Events::Rule",
  ) as [string, any][];

  test("one rule per regional and global event detection, none for the home account's own resources", () => {
    const expected = memberDetections(detections);
    expect(expected.length).toBeGreaterThan(5);
    expect(rules.map(([id]) => id).sort()).toEqual(
      expected.map((d) => logicalId("Rule", d.id)).sort(),
    );
    const home = detections.filter((d) => d.scope === "home");
    expect(home.length).toBeGreaterThan(3);
    for (const d of home) expect(JSON.stringify(template)).not.toContain(`"${d.id}`);
    // Watching trailwatch's rules is regional: in a member account it reports someone disabling
    // the forwarding rules themselves (their names share the "trailwatch-" prefix).
    expect(template.Resources.RuleWatcherRulesChanged.Properties.Name).toBe(
      "trailwatch-org-watcher-rules-changed",
    );
  });

  test("each rule: the detection's own event pattern and state, forwarding to the central bus with the role", () => {
    for (const d of memberDetections(detections)) {
      const rule = template.Resources[logicalId("Rule", d.id)];
      expect(rule.Properties.EventPattern).toEqual(eventPatternOf(d));
      expect(rule.Properties.Name).toBe(`trailwatch-org-${d.id}`);
      expect(rule.Properties.State).toBe(
        d.matchesReadOnly ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
      );
      expect(rule.Properties.Targets).toEqual([
        {
          Id: "central-event-bus",
          Arn: CENTRAL_BUS,
          RoleArn: { "Fn::GetAtt": ["ForwarderRole", "Arn"] },
        },
      ]);
      expect(rule.Condition).toBe(d.scope === "global" ? "IsGlobalEventsRegion" : undefined);
    }
    expect(template.Conditions.IsGlobalEventsRegion).toEqual({
      "Fn::Equals": [{ Ref: "AWS::Region" }, "us-east-1"],
    });
  });

  test("every member rule fires on a real CloudTrail record, as the home rule does", () => {
    const events = ALL_RECORDS.flatMap((r) => {
      try {
        return [cloudTrailRecordToEvent(r)];
      } catch {
        return [];
      }
    });
    for (const [id, rule] of rules) {
      const hits = events.filter((e) => matchesEventPattern(rule.Properties.EventPattern, e));
      expect({ id, fires: hits.length > 0 }).toEqual({ id, fires: true });
    }
  });

  test("a forwarded member event keeps its account: the home notification names the member account", () => {
    const record = ALL_RECORDS.find((r) => r.eventName === "CreateAccessKey")!;
    const event = { ...(cloudTrailRecordToEvent(record) as any), account: MEMBER };
    const target = resourcesOf(json, "aws_cloudwatch_event_target").find((t) =>
      t.rule.includes("iam-access-key-created"),
    )!;
    const { input_paths: paths, input_template: tpl } = target.input_transformer;
    const get = (p: string) =>
      p
        .slice(2)
        .split(".")
        .reduce((o: any, k) => (o == null ? undefined : o[k]), event);
    const text = JSON.parse(tpl).replace(/<(\w+)>/g, (_: string, k: string) =>
      String(get(paths[k]) ?? ""),
    );
    expect(text).toContain(`account ${MEMBER}`);
  });

  test("the member role: EventBridge rules of its own account and region only; PutEvents on the central bus only", async () => {
    const role = template.Resources.ForwarderRole.Properties;
    // Resolve the template's intrinsic functions for one stack instance (member, eu-west-1).
    const resolve = (v: any): any =>
      Array.isArray(v)
        ? v.map(resolve)
        : v && typeof v === "object"
          ? v["Fn::Join"]
            ? v["Fn::Join"][1].map(resolve).join(v["Fn::Join"][0])
            : v.Ref === "AWS::Region"
              ? "eu-west-1"
              : v.Ref === "AWS::AccountId"
                ? MEMBER
                : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]))
          : v;
    const roleName = resolve(role.RoleName);
    expect(roleName).toBe("trailwatch-org-forward-eu-west-1");
    const roleArn = `arn:aws:iam::${MEMBER}:role/${roleName}`;
    const trust = resolve(role.AssumeRolePolicyDocument);
    const assume = (sourceArn: string, sourceAccount: string) =>
      decide({
        principal: "events.amazonaws.com",
        action: "sts:AssumeRole",
        resource: roleArn,
        resourceAccount: MEMBER,
        resourcePolicy: trust,
        context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
      });
    const ourRule = `arn:aws:events:eu-west-1:${MEMBER}:rule/trailwatch-org-nacl-changed`;
    expect(await assume(ourRule, MEMBER)).toBe("Allowed");
    expect(await assume(`arn:aws:events:eu-west-1:${MEMBER}:rule/other`, MEMBER)).toBe(
      "ImplicitlyDenied",
    );
    expect(
      await assume(`arn:aws:events:eu-west-1:${OUTSIDER}:rule/trailwatch-org-x`, OUTSIDER),
    ).toBe("ImplicitlyDenied");
    const permissions = role.Policies[0].PolicyDocument;
    const busPolicy = JSON.parse(resourcesOf(json, "aws_cloudwatch_event_bus_policy")[0].policy);
    // Events the role puts on another account's bus: its permissions and that bus's policy decide.
    const act = (action: string, resource: string, account: string) =>
      decide({
        principal: `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/events`,
        action,
        resource,
        resourceAccount: account,
        identityPolicies: [permissions],
        resourcePolicy:
          account === ACCOUNT && action === "events:PutEvents" ? busPolicy : undefined,
        context: action === "events:PutEvents" ? { "aws:PrincipalOrgID": ORG } : {},
      });
    expect(await act("events:PutEvents", CENTRAL_BUS, ACCOUNT)).toBe("Allowed");
    expect(
      await act("events:PutEvents", `arn:aws:events:eu-west-1:${MEMBER}:event-bus/default`, MEMBER),
    ).toBe("ImplicitlyDenied");
    expect(await act("events:PutRule", `arn:aws:events:${HOME}:${ACCOUNT}:rule/x`, ACCOUNT)).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("organization: configuration errors", () => {
  test("organization id, root and OU ids, and the mode they belong to", () => {
    const input = raw();
    input.organization.id = "o-SHORT";
    input.organization.memberAccounts.deployTo = ["r-a1b2", "ou-bad"];
    expect(configProblems(input)).toEqual([
      'organization.id: must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits (got "o-SHORT")',
      'organization.memberAccounts.deployTo[1]: must be an organization root id (r- followed by 4-32 lowercase letters or digits) or an organizational unit id (ou-<root part>-<8-32 lowercase letters or digits>) (got "ou-bad")',
      'organization.memberAccounts.deployTo: the organization root already covers every OU: list the root alone, or only OUs (got ["r-a1b2","ou-bad"])',
    ]);
    const both = raw();
    both.organization.memberAccounts.deployTo = ["r-a1b2", "ou-a1b2-abcdefgh"];
    expect(configProblems(both)).toEqual([
      expect.stringMatching(
        /^organization.memberAccounts.deployTo: the organization root already covers every OU/,
      ),
    ]);
    const missing = raw();
    delete missing.organization;
    expect(configProblems(missing)).toEqual([
      expect.stringMatching(/^organization: required with trail.mode "organization"/),
    ]);
    const createMode = raw();
    createMode.trail.mode = "create";
    expect(configProblems(createMode)).toEqual([
      expect.stringMatching(/^organization: only used with trail.mode "organization"/),
    ]);
  });
});
