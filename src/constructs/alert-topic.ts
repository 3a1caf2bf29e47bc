import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TerraformStack } from "cdktf";
import { makeUniqueId } from "cdktf/lib/private/unique";
import type { Names } from "../names";
import { denyInsecureTransport, policy, renderPolicy, type PolicyDocument } from "../policy";
import { duplicatesBy, emailIdentity, stableId } from "../terraform/stable-id";

/**
 * SNS redelivery for HTTPS webhooks (SNS developer guide, "Amazon SNS message delivery retries"
 * and "Creating an HTTP/S delivery policy"): 2 immediate-phase retries 20 s apart, 8 with
 * exponential back-off from 20 s to 300 s, then 2 at 300 s: 12 retries over about 23 minutes
 * (SNS allows at most 100 retries and one hour), at most 10 deliveries per second to the endpoint.
 * What is still undelivered goes to the subscription's dead-letter queue.
 */
export const WEBHOOK_DELIVERY_POLICY = {
  healthyRetryPolicy: {
    minDelayTarget: 20,
    maxDelayTarget: 300,
    numRetries: 12,
    numNoDelayRetries: 0,
    numMinDelayRetries: 2,
    numMaxDelayRetries: 2,
    backoffFunction: "exponential",
  },
  throttlePolicy: { maxReceivesPerSecond: 10 },
} as const;

/** One subscription of a topic; its construct id comes from its identity, never a position. */
export type TopicSubscription =
  /** Keyed by the address (lowercased): the same address keeps its subscription whichever list holds it. */
  | { readonly kind: "email"; readonly address: string }
  /** Keyed by the channel name (the URL usually holds a secret token: not in the address). */
  | {
      readonly kind: "webhook";
      readonly channel: string;
      readonly url: string;
      readonly autoConfirms: boolean;
      /** Where SNS puts what it could not deliver after the retries. */
      readonly deadLetterQueueArn: string;
    }
  /** Keyed by the channel name. */
  | {
      readonly kind: "sqs";
      readonly channel: string;
      readonly queueArn: string;
      readonly deadLetterQueueArn: string;
    };

export interface AlertTopicProps {
  readonly names: Names;
  /** ARN of the KMS key that encrypts the topic (its policy must admit CloudWatch and EventBridge). */
  readonly kmsKeyArn: string;
  /** @default names.alertTopicName (the default route's topic) */
  readonly topicName?: string;
  /** ARN built from the name (the policy must name it before it exists). @default names.alertTopicArn */
  readonly topicArn?: string;
  /** Sender name of e-mail notifications (SNS: at most 100 characters). @default "trailwatch alerts" */
  readonly displayName?: string;
  /**
   * The topic's subscriptions. E-mail addresses must be distinct (ignoring case); each must
   * confirm its subscription. Adding, removing or reordering subscriptions never touches another.
   * @default none
   */
  readonly subscriptions?: readonly TopicSubscription[];
  /**
   * `alerts.emails` in its configured order, for the default route's topic only: trailwatch up to
   * 0.1 keyed those subscriptions by list position (`email-<i>`); each address's subscription is
   * moved from that address, so upgrading makes nobody confirm again. @default none
   */
  readonly legacyEmailOrder?: readonly string[];
}

/**
 * One alert topic: encrypted with the given key, with the policy that lets this account's
 * CloudWatch alarms and EventBridge rules (and nothing else, and never without TLS) publish, and
 * its subscriptions. The default route's topic is construct `alerts` in the home stack, as it
 * always was.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly policyDocument: PolicyDocument;
  /** One per subscription, in the order given. */
  readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const n = props.names;
    this.topicArn = props.topicArn ?? n.alertTopicArn;
    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName ?? n.alertTopicName,
      displayName: props.displayName ?? "trailwatch alerts",
      kmsMasterKeyId: props.kmsKeyArn,
    });
    this.policyDocument = alertTopicPolicy(n, this.topicArn);
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: renderPolicy(this.policyDocument),
    });
    const subscriptions = props.subscriptions ?? [];
    const emails = subscriptions.flatMap((s) => (s.kind === "email" ? [s.address] : []));
    const twice = duplicatesBy(emails, emailIdentity);
    if (twice.length > 0)
      throw new Error(
        `AlertTopic: e-mail addresses must be distinct (ignoring case): ${twice.map((d) => d.item).join(", ")}`,
      );
    const legacy = props.legacyEmailOrder ?? [];
    this.subscriptions = subscriptions.map((s) => {
      switch (s.kind) {
        case "email": {
          const subscription = new SnsTopicSubscription(
            this,
            `email-${stableId(emailIdentity(s.address))}`,
            { topicArn: this.topic.arn, protocol: "email", endpoint: s.address },
          );
          const i = legacy.findIndex((a) => emailIdentity(a) === emailIdentity(s.address));
          // A no-op once the state has no such address.
          if (i >= 0)
            subscription.moveFromId(
              `aws_sns_topic_subscription.${this.legacyLogicalId(`email-${i}`)}`,
            );
          return subscription;
        }
        case "webhook":
          return new SnsTopicSubscription(this, `webhook-${stableId(s.channel)}`, {
            topicArn: this.topic.arn,
            protocol: "https",
            endpoint: s.url,
            endpointAutoConfirms: s.autoConfirms,
            deliveryPolicy: JSON.stringify(WEBHOOK_DELIVERY_POLICY),
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: s.deadLetterQueueArn }),
          });
        case "sqs":
          return new SnsTopicSubscription(this, `sqs-${stableId(s.channel)}`, {
            topicArn: this.topic.arn,
            protocol: "sqs",
            endpoint: s.queueArn,
            // The SNS envelope (TopicArn, Subject, Timestamp, MessageId) stays: SIEMs key on it.
            rawMessageDelivery: false,
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: s.deadLetterQueueArn }),
          });
      }
    });
  }

  /** The Terraform address cdktf gave a child with construct id `id` (cdktf's own algorithm). */
  private legacyLogicalId(id: string): string {
    const scopes = this.node.scopes;
    const below = scopes.slice(scopes.indexOf(TerraformStack.of(this)) + 1);
    return makeUniqueId([...below.map((c) => c.node.id), id]);
  }
}

/**
 * The policy of an alert topic: this account's CloudWatch alarms and EventBridge rules in the home
 * region may publish (confused-deputy conditions aws:SourceAccount and aws:SourceArn), nobody
 * without TLS. Every route and chat topic has exactly this policy for its own ARN.
 */
export function alertTopicPolicy(n: Names, topicArn: string = n.alertTopicArn): PolicyDocument {
  return policy(
    {
      Sid: "CloudWatchAlarmsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": n.account },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${n.homeRegion}:${n.account}:alarm:*` },
      },
    },
    {
      Sid: "EventBridgeRulesOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": n.account },
        ArnLike: { "aws:SourceArn": `arn:aws:events:${n.homeRegion}:${n.account}:rule/*` },
      },
    },
    denyInsecureTransport("sns:Publish", [topicArn]),
  );
}
