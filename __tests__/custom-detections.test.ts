/**
 * detections.custom: validated like the rest of the configuration, then selected, synthesized,
 * documented and given an Athena query exactly like catalog detections.
 */
import { Testing } from "cdktf";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { renderConfigJsonSchema } from "../src/config/json-schema";
import { customDetections } from "../src/detections/custom";
import { renderCustomDetectionDocs } from "../src/detections/docs";
import { eventPatternOf, filterPatternOf } from "../src/detections/render";
import { selectDetections } from "../src/detections/select";
import {
  build,
  config,
  configProblems,
  exampleConfigInput,
  resourcesOf,
  synthJson,
} from "./helpers";
import { LOGIN_PROFILE_CREATED, PUBLIC_ACCESS_BLOCK_REMOVED } from "./support/custom-detections";
import { WATCHED } from "./support/records";

// Conversions, synths and DuckDB runs take seconds; on a loaded machine, more than jest's default 5 s.
jest.setTimeout(60_000);

function withCustom(custom: unknown[], detections: Record<string, unknown> = {}) {
  const raw = exampleConfigInput();
  return { ...raw, detections: { ...(raw.detections ?? {}), ...detections, custom } };
}

describe("validation", () => {
  test("a well-formed entry gets the documented defaults", () => {
    const c = config(withCustom([LOGIN_PROFILE_CREATED]) as never);
    expect(c.detections.custom[0]).toEqual({
      ...LOGIN_PROFILE_CREATED,
      references: {},
      delivery: "event",
      matchesReadOnly: false,
      enabled: true,
    });
  });

  test("every problem at once, each naming its path", () => {
    const problems = configProblems(
      withCustom([
        { ...LOGIN_PROFILE_CREATED, colour: "red" },
        {
          ...PUBLIC_ACCESS_BLOCK_REMOVED,
          id: "Bad_Id",
          severity: "urgent",
          condition: {
            all: [
              { field: "eventName", equals: [] },
              { field: "a..b", prefix: "x" },
              { field: "eventName", startsWith: "Delete" },
              { field: "eventName", prefix: "A", suffix: "B" },
              { any: [] },
            ],
          },
        },
      ]),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'detections.custom[0]: unknown field "colour"; see trailwatch.schema.json for the allowed fields',
        expect.stringMatching(/^detections\.custom\[1\]\.id: must be kebab-case/),
        expect.stringMatching(
          /^detections\.custom\[1\]\.severity: .*"critical".*\(got "urgent"\)$/,
        ),
        expect.stringMatching(
          /^detections\.custom\[1\]\.condition\.all\[0\]\.equals: must be a non-empty list/,
        ),
        expect.stringMatching(
          /^detections\.custom\[1\]\.condition\.all\[1\]\.field: field "a\.\.b": step ""/,
        ),
        expect.stringMatching(
          /^detections\.custom\[1\]\.condition\.all\[2\]: unknown operator "startsWith"; allowed: equals, notEquals, prefix/,
        ),
        expect.stringMatching(
          /^detections\.custom\[1\]\.condition\.all\[3\]: has 2 operators \(prefix, suffix\); use "all"/,
        ),
        expect.stringMatching(
          /^detections\.custom\[1\]\.condition\.all\[4\]\.any: must be a non-empty list/,
        ),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  test("ids: the catalog's, repeated, unknown in enable/disable/alarms, too long for a rule name", () => {
    const problems = configProblems(
      withCustom(
        [
          { ...LOGIN_PROFILE_CREATED, id: "cis-root-usage" },
          LOGIN_PROFILE_CREATED,
          LOGIN_PROFILE_CREATED,
          {
            ...LOGIN_PROFILE_CREATED,
            id: "a-very-long-detection-id-that-no-rule-name-can-hold-at-all",
          },
        ],
        { disable: ["nope"], alarms: { "iam-login-profile-created": { threshold: 2 } } },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^detections\.custom\[0\]\.id: "cis-root-usage" is a catalog detection's id; choose another/,
        ),
        'detections.custom[2].id: "iam-login-profile-created" is also the id of detections.custom[1] (got "iam-login-profile-created")',
        expect.stringMatching(
          /^detections\.custom\[3\]\.id: the EventBridge rule name "trailwatch-a-very-long-.*" would be 69 characters; AWS allows 64, so with name "trailwatch" an id has at most 53/,
        ),
        expect.stringMatching(
          /^detections\.disable\[0\]: not a detection id; allowed: cis-root-usage, .* and the ids of detections\.custom \(cis-root-usage, iam-login-profile-created, iam-login-profile-created, a-very-long/,
        ),
        expect.stringMatching(
          /^detections\.alarms\.iam-login-profile-created: iam-login-profile-created is delivered by EventBridge, not an alarm/,
        ),
      ]),
    );
  });

  test("a condition no rendering can express, or too long for a filter pattern or an event pattern", () => {
    const quote = {
      ...LOGIN_PROFILE_CREATED,
      condition: { field: "userAgent", contains: 'say "hi"' },
    };
    const longFilter = {
      ...LOGIN_PROFILE_CREATED,
      id: "many-names",
      condition: {
        field: "eventName",
        equals: Array.from({ length: 40 }, (_, i) => `SomeVeryLongApiOperationName${i}`),
      },
    };
    // Six ORs of two fields: 64 $or branches in an event pattern, a short filter pattern.
    const longEvent = {
      ...LOGIN_PROFILE_CREATED,
      id: "many-branches",
      condition: {
        all: Array.from({ length: 6 }, (_, i) => ({
          any: [
            { field: `requestParameters.a${i}`, equals: ["x"] },
            { field: `requestParameters.b${i}`, equals: ["y"] },
          ],
        })),
      },
    };
    const problems = configProblems(withCustom([quote, longFilter, longEvent]));
    expect(problems).toEqual([
      expect.stringMatching(
        /^detections\.custom\[0\]\.condition: no CloudWatch Logs filter pattern: .*cannot be expressed in a filter pattern/,
      ),
      expect.stringMatching(
        /^detections\.custom\[1\]\.condition: the CloudWatch Logs filter pattern is \d{4} characters; AWS accepts at most 1024/,
      ),
      expect.stringMatching(
        /^detections\.custom\[2\]\.condition: the EventBridge event pattern is \d{4,} characters; AWS accepts at most 2048/,
      ),
    ]);
  });

  test("alarm tuning on an event-only detection, and CloudWatch's own limits", () => {
    const problems = configProblems(
      withCustom([
        { ...LOGIN_PROFILE_CREATED, alarm: { threshold: 2 } },
        {
          ...PUBLIC_ACCESS_BLOCK_REMOVED,
          alarm: { periodSeconds: 60, evaluationPeriods: 2, datapointsToAlarm: 3 },
        },
      ]),
    );
    expect(problems).toEqual([
      'detections.custom[0].alarm: tunes an alarm, but delivery is "event"; use "alarm" or "both" (got {"threshold":2})',
      "detections.custom[1].alarm.datapointsToAlarm: must be at most evaluationPeriods (2) (got 3)",
    ]);
  });

  test("detections.alarms overriding a custom detection's tuning: the merged alarm is checked", () => {
    const hourly = { ...PUBLIC_ACCESS_BLOCK_REMOVED, alarm: { periodSeconds: 3600 } };
    // 169 hourly periods: each field fine on its own, the rendered alarm over seven days.
    expect(
      configProblems(
        withCustom([hourly], {
          alarms: { [hourly.id]: { evaluationPeriods: 169 } },
        }),
      ),
    ).toEqual([
      `detections.alarms.${hourly.id}.evaluationPeriods: periodSeconds × evaluationPeriods is 608400 s; CloudWatch allows at most 604800 s (seven days), so at most 168 periods of 3600 s (got 169)`,
    ]);
    // The override's period with the entry's evaluation periods: named where it comes from.
    const many = { ...PUBLIC_ACCESS_BLOCK_REMOVED, alarm: { evaluationPeriods: 300 } };
    expect(
      configProblems(withCustom([many], { alarms: { [many.id]: { periodSeconds: 300 } } })),
    ).toEqual([
      `detections.alarms.${many.id}.evaluationPeriods: periodSeconds × evaluationPeriods is 90000 s; CloudWatch allows at most 86400 s (one day for periods under an hour), so at most 288 periods of 300 s, with detections.custom[0].alarm.evaluationPeriods (300)`,
    ]);
    // A problem of the entry alone is reported once, where it is written.
    const bad = {
      ...PUBLIC_ACCESS_BLOCK_REMOVED,
      alarm: { evaluationPeriods: 2, datapointsToAlarm: 3 },
    };
    expect(configProblems(withCustom([bad], { alarms: { [bad.id]: { threshold: 4 } } }))).toEqual([
      "detections.custom[0].alarm.datapointsToAlarm: must be at most evaluationPeriods (2) (got 3)",
    ]);
  });
});

describe("selection", () => {
  const ids = (
    detections: Record<string, unknown>,
    custom: unknown[] = [PUBLIC_ACCESS_BLOCK_REMOVED, { ...LOGIN_PROFILE_CREATED, enabled: false }],
  ) =>
    selectDetections(config(withCustom(custom, detections) as never), WATCHED)
      .filter((d) => d.pack === "custom")
      .map((d) => d.id);

  test("on unless enabled: false; enable, disable and packs.custom work as for the catalog", () => {
    expect(ids({})).toEqual(["s3-public-access-block-removed"]);
    expect(ids({ enable: ["iam-login-profile-created"] })).toEqual([
      "s3-public-access-block-removed",
      "iam-login-profile-created",
    ]);
    expect(ids({ disable: ["s3-public-access-block-removed"] })).toEqual([]);
    expect(ids({ packs: { custom: false } })).toEqual([]);
    expect(ids({ packs: { custom: false }, enable: ["iam-login-profile-created"] })).toEqual([
      "iam-login-profile-created",
    ]);
  });
});

describe("synthesized like catalog detections", () => {
  const { home, regional } = build(
    withCustom([PUBLIC_ACCESS_BLOCK_REMOVED, LOGIN_PROFILE_CREATED], {
      alarms: { "s3-public-access-block-removed": { threshold: 3 } },
    }) as never,
  );
  const homeJson = synthJson(home);
  const [d] = customDetections(config(withCustom([PUBLIC_ACCESS_BLOCK_REMOVED]) as never));

  test("metric filter and alarm: the entry's tuning, overridden field by field by detections.alarms", () => {
    const synth = Testing.synth(home);
    expect(synth).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      name: "s3-public-access-block-removed",
      pattern: filterPatternOf(d),
    });
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "trailwatch-s3-public-access-block-removed",
      period: 300,
      threshold: 3,
      statistic: "Sum",
    });
  });

  test("EventBridge rules: the home region for every event detection, us-east-1 for global ones", () => {
    const rules = resourcesOf(homeJson, "aws_cloudwatch_event_rule");
    const rule = rules.find((r) => r.name === "trailwatch-s3-public-access-block-removed")!;
    expect(JSON.parse(rule.event_pattern)).toEqual(eventPatternOf(d));
    expect(rules.map((r) => r.name)).toContain("trailwatch-iam-login-profile-created");
    const east = regional.find((s) => s.node.id.endsWith("us-east-1"))!;
    const eastRules = resourcesOf(synthJson(east), "aws_cloudwatch_event_rule").map((r) => r.name);
    expect(eastRules).toEqual(
      expect.arrayContaining([
        "trailwatch-iam-login-profile-created",
        "trailwatch-s3-public-access-block-removed",
      ]),
    );
  });

  test("an Athena saved query per custom detection, its WHERE clause rendered from the condition", () => {
    const queries = resourcesOf(homeJson, "aws_athena_named_query");
    const q = queries.find(
      (x) => x.name === "trailwatch-detection-s3-public-access-block-removed",
    )!;
    expect(q.query).toContain("eventname = 'DeleteBucketPublicAccessBlock'");
    expect(q.query).toContain("-- S3 Block Public Access removed from a bucket [high]");
  });
});

describe("documentation and JSON Schema", () => {
  test("docs/custom-detections.md shows each with its renderings and, for Sigma rules, the attribution", () => {
    const ds = customDetections(
      config(
        withCustom([
          PUBLIC_ACCESS_BLOCK_REMOVED,
          {
            ...LOGIN_PROFILE_CREATED,
            references: {
              sigma: {
                id: "0000-1",
                title: "Login Profile",
                author: "Jane Doe",
                license: "DRL-1.1",
                source: "rules/x.yml",
              },
            },
          },
        ]) as never,
      ),
    );
    const md = renderCustomDetectionDocs(ds, "trailwatch.config.json");
    expect(md).toContain("detections.custom in trailwatch.config.json");
    expect(md).toContain(
      "| [`s3-public-access-block-removed`](#s3-public-access-block-removed) | custom | S3 Block Public Access removed from a bucket | high | both | regional | on | [ATT&CK T1530](https://attack.mitre.org/techniques/T1530/), https://docs.aws.amazon.com/",
    );
    expect(md).toContain(filterPatternOf(ds[0]));
    expect(md).toContain(
      'Converted from the Sigma rule "Login Profile" (id 0000-1) by Jane Doe, licence DRL-1.1, source `rules/x.yml`.',
    );
  });

  test("the JSON Schema documents the condition language recursively, for editors", () => {
    const schema = JSON.parse(renderConfigJsonSchema());
    const entry = schema.properties.detections.properties.custom.items;
    expect(entry.properties.condition).toEqual({ $ref: "#/$defs/condition" });
    expect(entry.additionalProperties).toBe(false);
    expect(entry.required).toEqual(
      expect.arrayContaining(["id", "title", "severity", "rationale", "investigate", "condition"]),
    );
    const shapes = schema.$defs.condition.anyOf as { properties: Record<string, any> }[];
    const operators = shapes.flatMap((s) => Object.keys(s.properties).filter((k) => k !== "field"));
    expect(operators).toEqual([
      "all",
      "any",
      "equals",
      "notEquals",
      "prefix",
      "suffix",
      "contains",
      "notPrefix",
      "notSuffix",
      "notContains",
      "lessThan",
      "lessThanOrEqual",
      "greaterThan",
      "greaterThanOrEqual",
      "exists",
    ]);
    expect(shapes[0].properties.all.items).toEqual({ $ref: "#/$defs/condition" });
    for (const s of shapes) expect(JSON.stringify(s)).toMatch(/"description"/);
  });
});
