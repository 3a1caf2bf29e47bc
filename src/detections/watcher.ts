import { absent, all, any, eq, prefix, type Condition } from "./condition";
import type { Detection, WatchedResources } from "./types";

/** One condition, or `any` of several. */
const oneOf = (cs: Condition[]): Condition => (cs.length === 1 ? cs[0] : any(...cs));

/** Changes to trailwatch's own resources: whoever blinds the monitoring is the first to alert on. */
export function watcherDetections(w: WatchedResources): Detection[] {
  const common = {
    pack: "watcher" as const,
    delivery: "event" as const,
    enabledByDefault: true,
  };
  return [
    {
      ...common,
      id: "watcher-trail-changed",
      references: { attack: ["T1562.008"] },
      title: "trailwatch's trail stopped, deleted or changed",
      severity: "critical",
      rationale: "Every alarm depends on this trail delivering events.",
      investigate: `\`aws cloudtrail get-trail-status --name ${w.trailName}\`; restore it with \`cdktf deploy\` or \`terraform apply\`.`,
      condition: all(
        eq("eventSource", "cloudtrail.amazonaws.com"),
        eq(
          "eventName",
          "StopLogging",
          "DeleteTrail",
          "UpdateTrail",
          "PutEventSelectors",
          "PutInsightSelectors",
        ),
        // StopLogging, DeleteTrail and UpdateTrail name the trail in `name`; the selector calls in `trailName`.
        any(
          eq("requestParameters.name", w.trailName, w.trailArn),
          eq("requestParameters.trailName", w.trailName, w.trailArn),
        ),
      ),
      scope: "home",
    },
    {
      ...common,
      id: "watcher-log-group-changed",
      references: { attack: ["T1562.008"] },
      title: "trailwatch's log group deleted or its retention or key changed",
      severity: "critical",
      rationale:
        "Metric filters read this log group; deleting it or shortening retention loses evidence and alarms.",
      investigate: `\`aws logs describe-log-groups --log-group-name-prefix ${w.logGroupName}\`; re-apply the home stack.`,
      condition: all(
        eq("eventSource", "logs.amazonaws.com"),
        eq(
          "eventName",
          "DeleteLogGroup",
          "PutRetentionPolicy",
          "DeleteRetentionPolicy",
          "DisassociateKmsKey",
          "DeleteMetricFilter",
          "PutMetricFilter",
        ),
        eq("requestParameters.logGroupName", w.logGroupName),
      ),
      scope: "home",
    },
    {
      ...common,
      id: "watcher-alarms-changed",
      references: { attack: ["T1562.001"] },
      title: "trailwatch's alarms changed, disabled or deleted",
      severity: "high",
      rationale:
        "Deleting or silencing an alarm turns a detection off without a trace. DeleteAlarms and DisableAlarmActions name alarms in a list, which filter patterns cannot search, so any such call alerts.",
      investigate:
        "`aws cloudwatch describe-alarms --alarm-name-prefix " +
        w.resourcePrefix +
        "`; re-apply the home stack.",
      condition: all(
        eq("eventSource", "monitoring.amazonaws.com"),
        any(
          eq("eventName", "DeleteAlarms", "DisableAlarmActions"),
          all(
            eq("eventName", "PutMetricAlarm"),
            prefix("requestParameters.alarmName", w.resourcePrefix),
          ),
        ),
      ),
      scope: "home",
    },
    {
      ...common,
      id: "watcher-rules-changed",
      references: { attack: ["T1562.001"] },
      title: "trailwatch's EventBridge rules disabled, deleted or their targets removed",
      severity: "high",
      rationale: "EventBridge rules deliver the event detections of every region.",
      investigate: `\`aws events list-rules --name-prefix ${w.resourcePrefix}\` in the region of the call; re-apply that region's stack.`,
      condition: all(
        eq("eventSource", "events.amazonaws.com"),
        any(
          all(
            eq("eventName", "DisableRule", "DeleteRule", "PutRule"),
            prefix("requestParameters.name", w.resourcePrefix),
          ),
          all(
            eq("eventName", "RemoveTargets", "PutTargets"),
            prefix("requestParameters.rule", w.resourcePrefix),
          ),
        ),
        absent("errorCode"),
      ),
      scope: "regional",
    },
    {
      ...common,
      id: "watcher-alert-topic-changed",
      references: { attack: ["T1562.001"] },
      title: "trailwatch's alert topic deleted, changed or unsubscribed",
      severity: "critical",
      rationale: "Without the topic and its subscriptions no alert reaches anyone.",
      investigate:
        w.alertTopicArns.length === 1
          ? "`aws sns list-subscriptions-by-topic --topic-arn " +
            w.alertTopicArns[0] +
            "`; re-apply and reconfirm e-mail subscriptions."
          : "`aws sns list-subscriptions-by-topic --topic-arn TOPIC` for the topic the call names (one of " +
            w.alertTopicArns.join(", ") +
            "); re-apply and reconfirm e-mail subscriptions.",
      condition: all(
        eq("eventSource", "sns.amazonaws.com"),
        any(
          all(
            eq("eventName", "DeleteTopic", "SetTopicAttributes", "RemovePermission"),
            eq("requestParameters.topicArn", ...w.alertTopicArns),
          ),
          all(
            eq("eventName", "Unsubscribe"),
            // A subscription ARN is its topic's ARN, ":" and the subscription id.
            oneOf(
              w.alertTopicArns.map((t) => prefix("requestParameters.subscriptionArn", `${t}:`)),
            ),
          ),
        ),
      ),
      scope: "home",
    },
    {
      ...common,
      id: "watcher-trail-key-changed",
      references: { attack: ["T1562.008"] },
      title: "trailwatch's KMS key disabled, scheduled for deletion or its policy changed",
      severity: "critical",
      rationale:
        "Without the key CloudTrail cannot write log files and nobody can read the archive.",
      investigate:
        "`aws kms describe-key --key-id " +
        w.trailKeyArn +
        "`; `aws kms cancel-key-deletion` within the waiting period.",
      condition: all(
        eq("eventSource", "kms.amazonaws.com"),
        eq("eventName", "DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "DisableKeyRotation"),
        // Callers name a key by id, ARN or alias.
        eq("requestParameters.keyId", w.trailKeyId, w.trailKeyArn, w.trailKeyAlias),
      ),
      scope: "home",
    },
    {
      ...common,
      id: "watcher-archive-bucket-changed",
      references: { attack: ["T1562.008"] },
      title:
        "trailwatch's log archive bucket policy, lifecycle, encryption or public access block changed",
      severity: "critical",
      rationale: "These settings keep the logs private, encrypted and kept for their retention.",
      investigate: `Compare the bucket's settings with the home stack (\`terraform plan\` shows the drift); bucket ${w.archiveBucket}.`,
      condition: all(
        eq("eventSource", "s3.amazonaws.com"),
        eq(
          "eventName",
          "PutBucketPolicy",
          "DeleteBucketPolicy",
          "PutBucketLifecycle",
          "DeleteBucketLifecycle",
          "PutBucketPublicAccessBlock",
          "DeleteBucketPublicAccessBlock",
          "PutBucketEncryption",
          "DeleteBucketEncryption",
          "PutBucketVersioning",
          "PutBucketLogging",
          "PutBucketObjectLockConfiguration",
          "DeleteBucket",
        ),
        eq("requestParameters.bucketName", w.archiveBucket),
      ),
      scope: "home",
    },
  ];
}
