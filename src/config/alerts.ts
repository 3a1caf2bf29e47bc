/** Configuration of alert delivery beyond the e-mail list: alarm enrichment. */
import { z } from "zod";
import { logRetention } from "./fields";

export const ALARM_NOTIFICATION_MODES = ["add", "replace"] as const;

export const ALARM_ENRICHMENT_DEFAULTS = {
  enabled: true,
  alarmNotifications: "add" as const,
  maxEvents: 10,
  reservedConcurrency: 1,
  logRetentionDays: 365 as const,
};

export const alarmEnrichment = z.strictObject({
  /** Deploy the enrichment function (only when some detection is delivered as an alarm). */
  enabled: z.boolean().default(ALARM_ENRICHMENT_DEFAULTS.enabled),
  /**
   * `add`: CloudWatch's own alarm notification still goes to the topic, and the enriched one
   * follows (Security Hub CloudWatch.1-14 need the alarm's SNS action). `replace`: alarms notify
   * only through the function; those controls then report FAILED.
   */
  alarmNotifications: z
    .enum(ALARM_NOTIFICATION_MODES, {
      error: `must be one of: ${ALARM_NOTIFICATION_MODES.join(", ")}`,
    })
    .default(ALARM_ENRICHMENT_DEFAULTS.alarmNotifications),
  /** CloudTrail events listed per message (all are counted). */
  maxEvents: z
    .number()
    .int()
    .min(1, { message: "must be between 1 and 50" })
    .max(50, { message: "must be between 1 and 50" })
    .default(ALARM_ENRICHMENT_DEFAULTS.maxEvents),
  /**
   * Concurrent executions reserved for (and capping) the function, which keeps FilterLogEvents
   * under its account-wide rate when many alarms fire at once; null leaves it unreserved (accounts
   * whose concurrency quota is 10 cannot reserve any).
   */
  reservedConcurrency: z
    .number()
    .int()
    .min(1, { message: "must be between 1 and 10, or null for none" })
    .max(10, { message: "must be between 1 and 10, or null for none" })
    .nullable()
    .default(ALARM_ENRICHMENT_DEFAULTS.reservedConcurrency),
  /** Days the function's own log group keeps its logs. */
  logRetentionDays: logRetention.default(ALARM_ENRICHMENT_DEFAULTS.logRetentionDays),
});
