import type { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface QueueNotEmptyAlarmProps {
  /** The watched queue (a dead-letter queue: any message in it is a failure). */
  readonly queueName: string;
  /** What went wrong and where to look (CloudWatch allows 1024 characters). */
  readonly description: string;
  /** Topics notified (CloudWatch alarm actions, at most 5). */
  readonly alarmActions: readonly string[];
}

/**
 * A CloudWatch alarm that goes off within a minute of a message becoming visible in a queue
 * (`AWS/SQS` `ApproximateNumberOfMessagesVisible`, Maximum over 60 s, at least 1), named
 * `<queue>-not-empty`. It notifies through CloudWatch alone, so it works when whatever filled the
 * queue (a function, a subscription) is what failed.
 */
export function queueNotEmptyAlarm(
  scope: Construct,
  id: string,
  p: QueueNotEmptyAlarmProps,
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: `${p.queueName}-not-empty`,
    alarmDescription:
      p.description.length <= 1024 ? p.description : `${p.description.slice(0, 1021)}...`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: p.queueName },
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [...p.alarmActions],
    actionsEnabled: true,
  });
}
