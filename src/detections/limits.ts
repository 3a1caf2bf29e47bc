/**
 * The AWS service quotas the rendered detections must fit, and how much of each a set of
 * detections uses. A configuration whose enabled detections (catalog and custom together) exceed
 * one is refused before anything is rendered, so `terraform apply` never fails on them.
 *
 * Sources:
 * - CloudWatch Logs API reference, PutMetricFilter: `filterPattern` length 0-1024; "The maximum
 *   number of metric filters that can be associated with a log group is 100."
 * - EventBridge user guide, "Amazon EventBridge quotas": event pattern size 2,048 characters
 *   (adjustable to 4,096 on request: a default account has 2,048); rules per event bus 300 (100 in
 *   af-south-1 and eu-south-1); "Rules containing wildcards: 30 rules per event bus ... This quota
 *   cannot be adjusted."
 */
import { catalog } from "./catalog";
import { deliversAlarm, deliversEvent, eventPatternOf, filterPatternOf } from "./render";
import type { Detection, Pack, WatchedResources } from "./types";

export const LIMITS = {
  /** Characters of a metric filter pattern (PutMetricFilter `filterPattern`). */
  filterPatternChars: 1024,
  /** Metric filters on one log group: every alarm detection is one on the trail's log group. */
  metricFiltersPerLogGroup: 100,
  /** Characters of an event pattern in a default account (adjustable to 4,096). */
  eventPatternChars: 2048,
  /** Rules on one event bus (the default bus of each region). */
  rulesPerBus: 300,
  /** Rules on one event bus in af-south-1 and eu-south-1. */
  rulesPerBusSmallRegions: 100,
  /** Rules whose pattern contains a wildcard, per event bus; not adjustable. */
  wildcardRulesPerBus: 30,
} as const;

/** Regions whose buses take 100 rules instead of 300. */
export const SMALL_RULE_QUOTA_REGIONS: readonly string[] = ["af-south-1", "eu-south-1"];

/** Whether an event pattern uses the `wildcard` operator anywhere (plain or inside anything-but). */
export function usesWildcard(pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some(usesWildcard);
  if (typeof pattern !== "object" || pattern === null) return false;
  return Object.entries(pattern).some(([k, v]) => k === "wildcard" || usesWildcard(v));
}

/** What one set of detections takes of each quota. */
export interface LimitUsage {
  readonly detections: number;
  /** Metric filters on the trail's log group (one per alarm detection). */
  readonly metricFilters: number;
  /** EventBridge rules on the home region's bus: every event detection. */
  readonly rulesHome: number;
  /** Rules on another monitored region's bus: the regional event detections. */
  readonly rulesOtherRegion: number;
  /** Rules on us-east-1's bus when it is not home: regional and global event detections. */
  readonly rulesUsEast1: number;
  /** Rules containing wildcards on the busiest bus (the home region's). */
  readonly wildcardRules: number;
  /** Longest metric filter pattern, in characters. */
  readonly longestFilterPattern: number;
  /** Longest event pattern (compact JSON, as the rule is created), in characters. */
  readonly longestEventPattern: number;
}

export function limitUsage(ds: readonly Detection[]): LimitUsage {
  const events = ds.filter(deliversEvent);
  const regional = events.filter((d) => d.scope === "regional");
  return {
    detections: ds.length,
    metricFilters: ds.filter(deliversAlarm).length,
    rulesHome: events.length,
    rulesOtherRegion: regional.length,
    rulesUsEast1: events.filter((d) => d.scope !== "home").length,
    wildcardRules: events.filter((d) => usesWildcard(eventPatternOf(d))).length,
    longestFilterPattern: Math.max(0, ...ds.map((d) => filterPatternOf(d).length)),
    longestEventPattern: Math.max(0, ...ds.map((d) => JSON.stringify(eventPatternOf(d)).length)),
  };
}

/** Usage per pack, then for every pack together (the `total` row). */
export function usageByPack(
  ds: readonly Detection[],
): { pack: Pack | "total"; usage: LimitUsage }[] {
  const packs = [...new Set(ds.map((d) => d.pack))];
  return [
    ...packs.map((pack) => ({ pack, usage: limitUsage(ds.filter((d) => d.pack === pack)) })),
    { pack: "total" as const, usage: limitUsage(ds) },
  ];
}

/**
 * Every quota the enabled detections exceed, each naming the detections or the count and what to
 * do; [] when they fit. `regions` are the regions that get a stack (the home region first).
 */
export function limitProblems(ds: readonly Detection[], regions: readonly string[]): string[] {
  const problems: string[] = [];
  for (const d of ds) {
    const filter = filterPatternOf(d).length;
    if (deliversAlarm(d) && filter > LIMITS.filterPatternChars)
      problems.push(
        `detection ${d.id}: its metric filter pattern has ${filter} characters; CloudWatch Logs allows ${LIMITS.filterPatternChars}`,
      );
    const event = JSON.stringify(eventPatternOf(d)).length;
    if (deliversEvent(d) && event > LIMITS.eventPatternChars)
      problems.push(
        `detection ${d.id}: its event pattern has ${event} characters; EventBridge allows ${LIMITS.eventPatternChars} by default`,
      );
  }
  const u = limitUsage(ds);
  if (u.metricFilters > LIMITS.metricFiltersPerLogGroup)
    problems.push(
      `detections: ${u.metricFilters} alarm detections are enabled, each a metric filter on the trail's log group; CloudWatch Logs allows ${LIMITS.metricFiltersPerLogGroup} per log group: turn some off in detections.disable or a pack off in detections.packs`,
    );
  const [home, ...others] = regions;
  const perRegion: [string, number][] = [
    [home, u.rulesHome],
    ...others.map((r): [string, number] => [
      r,
      r === "us-east-1" ? u.rulesUsEast1 : u.rulesOtherRegion,
    ]),
  ];
  for (const [region, rules] of perRegion) {
    const quota = SMALL_RULE_QUOTA_REGIONS.includes(region)
      ? LIMITS.rulesPerBusSmallRegions
      : LIMITS.rulesPerBus;
    if (rules > quota)
      problems.push(
        `detections: ${rules} EventBridge rules in ${region}; its default event bus allows ${quota}: turn some event detections off`,
      );
  }
  if (u.wildcardRules > LIMITS.wildcardRulesPerBus)
    problems.push(
      `detections: ${u.wildcardRules} enabled event detections use wildcards (contains, notContains) in ${home}; EventBridge allows ${LIMITS.wildcardRulesPerBus} such rules per event bus and the quota cannot be raised: turn some off`,
    );
  return problems;
}

/**
 * The README's table of quota use per pack (the catalog's detections that are on by default), with
 * each quota in the last row. A test keeps the README's copy equal to this.
 */
export function renderLimitsTable(ds: readonly Detection[]): string {
  const rows = usageByPack(ds).map(
    ({ pack, usage: u }) =>
      `| ${pack === "total" ? "**all packs**" : pack} | ${u.detections} | ${u.metricFilters} | ${u.rulesHome} | ${u.rulesOtherRegion} | ${u.rulesUsEast1} | ${u.wildcardRules} | ${u.longestFilterPattern} | ${u.longestEventPattern} |`,
  );
  return [
    "| pack | detections | metric filters (trail's log group) | rules, home region | rules, other regions | rules, us-east-1 | rules with wildcards | longest filter pattern | longest event pattern |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    `| quota | | ${LIMITS.metricFiltersPerLogGroup} per log group | ${LIMITS.rulesPerBus} per bus (${LIMITS.rulesPerBusSmallRegions} in ${SMALL_RULE_QUOTA_REGIONS.join(", ")}) | | | ${LIMITS.wildcardRulesPerBus} per bus, not adjustable | ${LIMITS.filterPatternChars} | ${LIMITS.eventPatternChars} (default; 4,096 on request) |`,
  ].join("\n");
}

const README_START = "<!-- limits:start -->";
const README_END = "<!-- limits:end -->";

/** The README with its quota table (between the limits markers) rendered from the catalog. */
export function readmeWithLimits(readme: string, watched: WatchedResources): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks ${README_START} ... ${README_END}`);
  const table = renderLimitsTable(catalog(watched).filter((d) => d.enabledByDefault));
  return `${readme.slice(0, start + README_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
