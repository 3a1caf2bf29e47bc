import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import {
  denyInsecureTransport,
  policy,
  renderPolicy,
  type PolicyDocument,
  type Statement,
} from "../policy";

/** SQS keeps messages at most 14 days (SQS developer guide, quotas). */
export const MAX_SQS_RETENTION_SECONDS = 1_209_600;

export interface PrivateQueueProps {
  readonly queueName: string;
  /** ARN built from names (policies need it before the queue exists). */
  readonly queueArn: string;
  /** Statements granting other principals (services) access; TLS-only is always added. @default none */
  readonly grants?: readonly Statement[];
  /** @default 14 days */
  readonly retentionSeconds?: number;
  /** A queue that receives what this one fails to deliver. @default none */
  readonly deadLetterQueueArn?: string;
  /** Receives before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** Seconds a received message stays invisible to other consumers. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
}

/**
 * An SQS queue encrypted at rest with SQS-managed keys (SSE-SQS) whose policy denies every request
 * without TLS. SSE-SQS rather than the trail's KMS key: every producer (SNS, EventBridge) and
 * consumer (a SIEM) would otherwise need grants on the key that also decrypts the log archive.
 */
export class PrivateQueue extends Construct {
  readonly queue: SqsQueue;
  readonly policyDocument: PolicyDocument;

  constructor(scope: Construct, id: string, props: PrivateQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: props.retentionSeconds ?? MAX_SQS_RETENTION_SECONDS,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      redrivePolicy: props.deadLetterQueueArn
        ? JSON.stringify({
            deadLetterTargetArn: props.deadLetterQueueArn,
            maxReceiveCount: props.maxReceiveCount ?? 5,
          })
        : undefined,
    });
    this.policyDocument = policy(
      ...(props.grants ?? []),
      denyInsecureTransport("sqs:*", [props.queueArn]),
    );
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: renderPolicy(this.policyDocument),
    });
  }
}
