import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { Detection } from "../detections/types";
import { eventPatternOf } from "../detections/render";
import { notificationTransformer } from "../detections/notification";

export type RuleTarget =
  /** Publish a readable sentence to the alert topic (home region). */
  | { readonly kind: "topic"; readonly topicArn: string }
  /** Forward the event unchanged to the home region's event bus (other regions). */
  | { readonly kind: "bus"; readonly eventBusArn: string; readonly roleArn: string };

export interface DetectionRulesProps {
  readonly detections: readonly Detection[];
  readonly target: RuleTarget;
  /** Prefix of rule names. */
  readonly resourcePrefix: string;
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
