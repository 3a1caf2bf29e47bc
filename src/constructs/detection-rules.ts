import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { Detection } from "../detections/types";
import { eventPatternOf } from "../detections/render";
import { notificationTransformer } from "../detections/notification";

export type RuleTarget =
  /** Publish a readable sentence to the alert topic (home region). */
  | { readonly kind: "topic"; readonly topicArn: string }
  /** Forward the event unchanged to the home region's event bus (other regions). */
  | { readonly kind: "bus"; readonly eventBusArn: string; readonly roleArn: string };

/**
 * The containment notifier (src/containment/notifier.ts): an input transformer cannot sign a
 * link, so the home rules of detections with a containment action deliver to this function,
 * which publishes the sentence with the link to the topic.
 */
export interface RuleNotifier {
  readonly functionArn: string;
  readonly functionName: string;
  /** Receives events EventBridge could not deliver to the function. */
  readonly deadLetterQueueArn: string;
  /** Detections whose rules target the notifier instead of the topic. */
  readonly detectionIds: readonly string[];
}

export interface DetectionRulesProps {
  readonly detections: readonly Detection[];
  readonly target: RuleTarget;
  /** Prefix of rule names. */
  readonly resourcePrefix: string;
  /** With a `topic` target: detections whose notifications carry a containment link. @default none */
  readonly notifier?: RuleNotifier;
}

/** One EventBridge rule per event-delivered detection, on the default bus of the stack's region. */
export class DetectionRules extends Construct {
  readonly rules: CloudwatchEventRule[] = [];

  constructor(scope: Construct, id: string, props: DetectionRulesProps) {
    super(scope, id);
    for (const d of props.detections) {
      const rule = new CloudwatchEventRule(this, `${d.id}-rule`, {
        name: `${props.resourcePrefix}${d.id}`,
        description: `trailwatch ${d.id}: ${d.title}`.slice(0, 512),
        eventPattern: JSON.stringify(eventPatternOf(d)),
        // Read-only management events reach only rules in this state.
        state: d.matchesReadOnly ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
      });
      this.rules.push(rule);
      const t = props.target;
      const notifier = props.notifier;
      if (t.kind === "topic" && notifier?.detectionIds.includes(d.id)) {
        new CloudwatchEventTarget(this, `${d.id}-target`, {
          rule: rule.name,
          targetId: "containment-notifier",
          arn: notifier.functionArn,
          inputTransformer: {
            // The whole event (aws.events.event.json is a predefined variable, valid as a JSON value).
            inputTemplate: `{"detection":${JSON.stringify(d.id)},"event":<aws.events.event.json>}`,
          },
          retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
          deadLetterConfig: { arn: notifier.deadLetterQueueArn },
        });
        new LambdaPermission(this, `${d.id}-invoke`, {
          statementId: `EventBridgeRule-${d.id}`.slice(0, 100),
          action: "lambda:InvokeFunction",
          functionName: notifier.functionName,
          principal: "events.amazonaws.com",
          sourceArn: rule.arn,
        });
        continue;
      }
      new CloudwatchEventTarget(this, `${d.id}-target`, {
        rule: rule.name,
        targetId: t.kind === "topic" ? "alert-topic" : "home-event-bus",
        arn: t.kind === "topic" ? t.topicArn : t.eventBusArn,
        roleArn: t.kind === "bus" ? t.roleArn : undefined,
        inputTransformer: t.kind === "topic" ? notificationTransformer(d) : undefined,
      });
    }
  }
}
