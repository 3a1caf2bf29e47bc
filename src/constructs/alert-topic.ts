import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { Names } from "../names";
import { denyInsecureTransport, policy, renderPolicy, type PolicyDocument } from "../policy";

export interface AlertTopicProps {
  readonly names: Names;
  /** ARN of the KMS key that encrypts the topic (its policy must admit CloudWatch and EventBridge). */
  readonly kmsKeyArn: string;
  /** E-mail addresses subscribed to every alert. Each must confirm its subscription. */
  readonly emails: readonly string[];
}

/** The SNS topic every alarm and EventBridge rule notifies; one set of e-mail confirmations. */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly policyDocument: PolicyDocument;

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
    props.emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: email,
      });
    });
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
