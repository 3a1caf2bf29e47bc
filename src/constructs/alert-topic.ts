import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TerraformStack } from "cdktf";
import { makeUniqueId } from "cdktf/lib/private/unique";
import type { Names } from "../names";
import { denyInsecureTransport, policy, renderPolicy, type PolicyDocument } from "../policy";
import { duplicatesBy, emailIdentity, stableId } from "../terraform/stable-id";

export interface AlertTopicProps {
  readonly names: Names;
  /** ARN of the KMS key that encrypts the topic (its policy must admit CloudWatch and EventBridge). */
  readonly kmsKeyArn: string;
  /**
   * E-mail addresses subscribed to every alert. Each must confirm its subscription. Each
   * subscription is keyed by its address (lowercased), so adding, removing or reordering
   * addresses never touches another address's subscription. Addresses must be distinct
   * (ignoring case).
   */
  readonly emails: readonly string[];
}

/** The SNS topic every alarm and EventBridge rule notifies; one set of e-mail confirmations. */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly policyDocument: PolicyDocument;
  /** One per address, in the order given. */
  readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const n = props.names;
    this.topic = new SnsTopic(this, "topic", {
      name: n.alertTopicName,
      displayName: "trailwatch alerts",
      kmsMasterKeyId: props.kmsKeyArn,
    });
    this.policyDocument = alertTopicPolicy(n);
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: renderPolicy(this.policyDocument),
    });
    const twice = duplicatesBy(props.emails, emailIdentity);
    if (twice.length > 0)
      throw new Error(
        `AlertTopic: e-mail addresses must be distinct (ignoring case): ${twice.map((d) => d.item).join(", ")}`,
      );
    this.subscriptions = props.emails.map((email, i) => {
      const subscription = new SnsTopicSubscription(
        this,
        `email-${stableId(emailIdentity(email))}`,
        {
          topicArn: this.topic.arn,
          protocol: "email",
          endpoint: email,
        },
      );
      // trailwatch up to 0.1 keyed subscriptions by list position (`email-<i>`): carry a
      // subscription from that address to its address-keyed one, so upgrading does not make every
      // recipient confirm again. A no-op once the state has no such address.
      subscription.moveFromId(`aws_sns_topic_subscription.${this.legacyLogicalId(`email-${i}`)}`);
      return subscription;
    });
  }

  /** The Terraform address cdktf gave a child with construct id `id` (cdktf's own algorithm). */
  private legacyLogicalId(id: string): string {
    const scopes = this.node.scopes;
    const below = scopes.slice(scopes.indexOf(TerraformStack.of(this)) + 1);
    return makeUniqueId([...below.map((c) => c.node.id), id]);
  }
}

export function alertTopicPolicy(n: Names): PolicyDocument {
  return policy(
    {
      Sid: "CloudWatchAlarmsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: n.alertTopicArn,
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
      Resource: n.alertTopicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": n.account },
        ArnLike: { "aws:SourceArn": `arn:aws:events:${n.homeRegion}:${n.account}:rule/*` },
      },
    },
    denyInsecureTransport("sns:Publish", [n.alertTopicArn]),
  );
}
