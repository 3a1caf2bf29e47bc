import { configWarnings, formatWarning } from "../src/warnings";
import { build, config, resourcesOf, synthJson } from "./helpers";

/** No stack is rendered without work: a regional stack exists only to run EventBridge rules. */
const ALL_PACKS_OFF = { packs: { cis: false, seed: false, watcher: false, threat: false } };

describe("regions with no rule to run get no stack", () => {
  test("every detection pack off: only the home stack, with the trail, archive, log group and topic", () => {
    const { home, regional } = build({ detections: ALL_PACKS_OFF } as any);
    expect(regional.map((s) => s.node.id)).toEqual([]);
    const json = synthJson(home);
    expect(resourcesOf(json, "aws_cloudtrail")).toHaveLength(1);
    expect(resourcesOf(json, "aws_cloudwatch_log_group")).toHaveLength(1);
    expect(resourcesOf(json, "aws_sns_topic")).toHaveLength(1);
    expect(resourcesOf(json, "aws_s3_bucket").map((b) => b.bucket)).toContain(
      "trailwatch-cloudtrail-111122223333-ap-northeast-1",
    );
    for (const type of [
      "aws_cloudwatch_metric_alarm",
      "aws_cloudwatch_log_metric_filter",
      "aws_cloudwatch_event_rule",
    ])
      expect([type, resourcesOf(json, type)]).toEqual([type, []]);
    // The only role is CloudTrail's delivery role into CloudWatch Logs: no forwarding role.
    expect(resourcesOf(json, "aws_iam_role").map((r) => r.name)).toEqual([
      expect.not.stringContaining("forward"),
    ]);
  });

  test("only a global detection on: us-east-1 gets the rule, the other monitored region no stack", () => {
    const { regional } = build({
      regions: ["ap-northeast-1", "eu-west-1", "us-east-1"],
      detections: { ...ALL_PACKS_OFF, enable: ["iam-access-key-created"] },
    } as any);
    expect(regional.map((s) => s.node.id)).toEqual(["trailwatch-us-east-1"]);
    const east = synthJson(regional[0]);
    expect(resourcesOf(east, "aws_cloudwatch_event_rule").map((r) => r.name)).toEqual([
      "trailwatch-iam-access-key-created",
    ]);
  });

  test("every regional stack that is rendered has at least one rule and its forwarding role", () => {
    const { regional } = build({ regions: ["ap-northeast-1", "eu-west-1", "sa-east-1"] });
    expect(regional.map((s) => s.node.id)).toEqual([
      "trailwatch-eu-west-1",
      "trailwatch-sa-east-1",
      "trailwatch-us-east-1",
    ]);
    for (const s of regional) {
      const json = synthJson(s);
      expect(resourcesOf(json, "aws_cloudwatch_event_rule").length).toBeGreaterThan(0);
      expect(resourcesOf(json, "aws_iam_role")).toHaveLength(1);
    }
  });

  test("synth warns about each monitored region left without a stack", () => {
    const c = config({
      regions: ["ap-northeast-1", "eu-west-1", "us-east-1"],
      detections: ALL_PACKS_OFF,
    } as any);
    expect(configWarnings(c).map(formatWarning)).toEqual(
      expect.arrayContaining([
        "warning: regions[1]: eu-west-1 gets no stack: no enabled detection needs an EventBridge rule there (the trail still records it)",
        "warning: regions[2]: us-east-1 gets no stack: no enabled detection needs an EventBridge rule there (the trail still records it)",
      ]),
    );
    expect(configWarnings(config()).map((w) => w.field)).not.toContain("regions[1]");
  });
});
