import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { Detection } from "../detections/types";
import { eventPatternOf } from "../detections/render";
import { notificationTransformer } from "../detections/notification";
import { chatCardTransformer } from "../channels/chat-card";

/** The topics of a detection's route: the sentence goes to `topicArn`, the chat card to `chatTopicArn`. */
export interface RouteTargets {
  readonly topicArn: string;
  /** Present when a Slack or Teams channel receives the route. */
  readonly chatTopicArn?: string;
}

export type RuleTarget =
  /** Publish a readable sentence to the route's topic, and a chat card to its chat topic (home region). */
  | { readonly kind: "topic"; readonly topics: (d: Detection) => RouteTargets }
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
      if (t.kind === "bus") {
        new CloudwatchEventTarget(this, `${d.id}-target`, {
          rule: rule.name,
          targetId: "home-event-bus",
          arn: t.eventBusArn,
          roleArn: t.roleArn,
        });
        continue;
      }
      const topics = t.topics(d);
      const notifier = props.notifier;
      if (notifier?.detectionIds.includes(d.id)) {
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
      } else
        new CloudwatchEventTarget(this, `${d.id}-target`, {
          rule: rule.name,
          targetId: "alert-topic",
          arn: topics.topicArn,
          inputTransformer: notificationTransformer(d),
        });
      // Chat shows the card (the containment link, a secret for one person, stays in the e-mail).
      if (topics.chatTopicArn)
        new CloudwatchEventTarget(this, `${d.id}-chat-target`, {
          rule: rule.name,
          targetId: "chat-topic",
          arn: topics.chatTopicArn,
          inputTransformer: chatCardTransformer(d),
        });
    }
  }
}
