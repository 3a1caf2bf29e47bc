import { renderConditionToSql } from "../patterns/sql-condition";
import { eventPatternOf, filterPatternOf } from "./render";
import type { Detection } from "./types";

/** PutMetricFilter's `filterPattern` is at most 1,024 characters (CloudWatch Logs API reference). */
export const FILTER_PATTERN_MAX_LENGTH = 1024;

/**
 * PutRule's `EventPattern` is at most 2,048 characters unless the account's quota was raised
 * (to at most 4,096): "Amazon EventBridge quotas", "Event pattern size".
 */
export const EVENT_PATTERN_MAX_LENGTH = 2048;

/**
 * Why a detection cannot be deployed as written: each rendering that throws (a value a filter
 * pattern cannot hold, constraints no event pattern can combine, a field with no Athena column)
 * or exceeds its service limit. [] when all three render within limits.
 */
export function renderingProblems(d: Detection): string[] {
  const problems: string[] = [];
  const attempt = (what: string, render: () => string, limit?: number) => {
    try {
      const text = render();
      if (limit !== undefined && text.length > limit)
        problems.push(`the ${what} is ${text.length} characters; AWS accepts at most ${limit}`);
    } catch (e) {
      problems.push(`no ${what}: ${(e as Error).message}`);
    }
  };
  attempt("CloudWatch Logs filter pattern", () => filterPatternOf(d), FILTER_PATTERN_MAX_LENGTH);
  attempt(
    "EventBridge event pattern",
    () => JSON.stringify(eventPatternOf(d)),
    EVENT_PATTERN_MAX_LENGTH,
  );
  attempt("Athena SQL condition", () => renderConditionToSql(d.condition));
  return problems;
}
