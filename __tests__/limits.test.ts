/**
 * Service quotas: every detection's patterns fit a default account, all packs together fit one log
 * group and one event bus per region (counted on the synthesized stacks), the configuration is
 * refused with the quota named when they would not, and the README's table is current.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { catalog } from "../src/detections/catalog";
import { eq, contains, all, any, type Condition } from "../src/detections/condition";
import {
  LIMITS,
  limitProblems,
  limitUsage,
  renderLimitsTable,
  usesWildcard,
} from "../src/detections/limits";
import type { Detection } from "../src/detections/types";
import { docsInput } from "../scripts/docs-input";
import { build, configProblems, exampleConfigInput, resourcesOf, ROOT, synthJson } from "./helpers";
import { WATCHED } from "./support/records";

const CATALOG = catalog(WATCHED);

function detection(id: string, condition: Condition, extra: Partial<Detection> = {}): Detection {
  return {
    id,
    title: id,
    severity: "low",
    pack: "custom",
    rationale: "test",
    investigate: "test",
    references: {},
    condition,
    delivery: "event",
    scope: "regional",
    enabledByDefault: true,
    ...extra,
  };
}

describe("quotas", () => {
  test("the figures are AWS's defaults", () => {
    expect(LIMITS).toEqual({
      filterPatternChars: 1024,
      metricFiltersPerLogGroup: 100,
      eventPatternChars: 2048,
      rulesPerBus: 300,
      rulesPerBusSmallRegions: 100,
      wildcardRulesPerBus: 30,
    });
  });

  test("the whole catalog, every pack and off-by-default detection on, fits every quota", () => {
    expect(limitProblems(CATALOG, ["ap-northeast-1", "us-east-1", "af-south-1"])).toEqual([]);
    const u = limitUsage(CATALOG);
    expect(u.metricFilters).toBeLessThanOrEqual(LIMITS.metricFiltersPerLogGroup);
    expect(u.wildcardRules).toBeLessThanOrEqual(LIMITS.wildcardRulesPerBus);
    expect(u.longestFilterPattern).toBeLessThanOrEqual(LIMITS.filterPatternChars);
    expect(u.longestEventPattern).toBeLessThanOrEqual(LIMITS.eventPatternChars);
  });

  test("wildcards are found wherever the event pattern uses them", () => {
    expect(usesWildcard({ detail: { a: [{ wildcard: "*x*" }] } })).toBe(true);
    expect(usesWildcard({ detail: { a: [{ "anything-but": { wildcard: ["*x*"] } }] } })).toBe(true);
    expect(usesWildcard({ detail: { $or: [{ a: ["x"] }, { b: [{ prefix: "y" }] }] } })).toBe(false);
  });

  test("synthesized stacks: metric filters on the log group and rules with wildcards per bus", () => {
    const { home, regional } = build({ regions: ["ap-northeast-1", "eu-west-1", "us-east-1"] });
    const homeJson = synthJson(home);
    const filters = resourcesOf(homeJson, "aws_cloudwatch_log_metric_filter");
    expect(filters.length).toBe(
      limitUsage(CATALOG.filter((d) => d.enabledByDefault)).metricFilters,
    );
    expect(filters.length).toBeLessThanOrEqual(LIMITS.metricFiltersPerLogGroup);
    for (const stack of [home, ...regional]) {
      const rules = resourcesOf(synthJson(stack), "aws_cloudwatch_event_rule").filter(
        (r) => r.event_pattern !== undefined,
      );
      expect(rules.length).toBeLessThanOrEqual(LIMITS.rulesPerBus);
      const wildcards = rules.filter((r) => usesWildcard(JSON.parse(r.event_pattern)));
      expect(wildcards.length).toBeLessThanOrEqual(LIMITS.wildcardRulesPerBus);
      for (const r of rules)
        expect(r.event_pattern.length).toBeLessThanOrEqual(LIMITS.eventPatternChars);
    }
    for (const f of filters)
      expect(f.pattern.length).toBeLessThanOrEqual(LIMITS.filterPatternChars);
  });

  test("too many alarms, wildcard rules or rules, and too long patterns are each named", () => {
    const alarms = Array.from({ length: 101 }, (_, i) =>
      detection(`a-${i}`, eq("eventName", `Call${i}`), { delivery: "alarm" }),
    );
    expect(limitProblems(alarms, ["ap-northeast-1"])).toEqual([
      expect.stringMatching(/^detections: 101 alarm detections .* allows 100 per log group/),
    ]);
    const wild = Array.from({ length: 31 }, (_, i) =>
      detection(`w-${i}`, contains("userAgent", `tool${i}`)),
    );
    expect(limitProblems(wild, ["ap-northeast-1"])).toEqual([
      expect.stringMatching(
        /31 enabled event detections use wildcards .* allows 30 .* cannot be raised/,
      ),
    ]);
    const rules = Array.from({ length: 101 }, (_, i) =>
      detection(`r-${i}`, eq("eventName", `C${i}`)),
    );
    expect(limitProblems(rules, ["ap-northeast-1", "af-south-1"])).toEqual([
      "detections: 101 EventBridge rules in af-south-1; its default event bus allows 100: turn some event detections off",
    ]);
    const names = Array.from({ length: 80 }, (_, i) => `SomeRatherLongEventName${i}`);
    const long = detection(
      "long",
      all(eq("eventSource", "ec2.amazonaws.com"), any(eq("eventName", ...names))),
      {
        delivery: "both",
      },
    );
    expect(limitProblems([long], ["ap-northeast-1"])).toEqual([
      expect.stringMatching(
        /^detection long: its metric filter pattern has \d+ characters; CloudWatch Logs allows 1024$/,
      ),
      expect.stringMatching(
        /^detection long: its event pattern has \d+ characters; EventBridge allows 2048 by default$/,
      ),
    ]);
  });

  test("the configuration is refused when its enabled detections exceed a quota", () => {
    const input = exampleConfigInput() as any;
    input.detections = {
      ...(input.detections ?? {}),
      custom: Array.from({ length: 31 }, (_, i) => ({
        id: `ua-tool-${i}`,
        title: `Tool ${i} used`,
        severity: "low",
        rationale: "test",
        investigate: "test",
        condition: { field: "userAgent", contains: `tool-${i}/` },
      })),
    };
    expect(configProblems(input)).toContainEqual(
      expect.stringMatching(/enabled event detections use wildcards/),
    );
  });
});

test("the README's quota table is current (run `npm run docs`)", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /<!-- limits:start -->([\s\S]*?)<!-- limits:end -->/.exec(readme)?.[1] ?? "";
  // Prettier pads the cells; compare cell by cell.
  const cells = (table: string) =>
    table
      .trim()
      .split("\n")
      .filter((l) => !/^\|[\s|:-]+\|$/.test(l))
      .map((l) => l.split("|").map((c) => c.trim()));
  const expected = renderLimitsTable(
    catalog(docsInput().watched).filter((d) => d.enabledByDefault),
  );
  expect(cells(block)).toEqual(cells(expected));
});
