import { Construct } from "constructs";
import type { Statement } from "../policy";
import { stableId } from "../terraform/stable-id";
import { PrivateQueue } from "./private-queue";
import { queueNotEmptyAlarm } from "./queue-not-empty-alarm";

/** An SQS channel of `alerts.channels` (a SIEM reads it). */
export interface SiemQueueSpec {
  /** The channel's name: it names the queue (`<prefix>alerts-<name>`) and keys its resources. */
  readonly name: string;
  /** ARNs of the topics (of the channel's routes) that deliver to the queue. */
  readonly topicArns: readonly string[];
  /** IAM principals of other accounts that receive and delete messages. */
  readonly readers: readonly string[];
}

export interface AlertQueuesProps {
  readonly account: string;
  readonly region: string;
  /** `<name>-`: prefixes queue and alarm names. */
  readonly resourcePrefix: string;
  readonly siemQueues: readonly SiemQueueSpec[];
  /**
   * Topics with webhook or SQS subscriptions: what SNS cannot deliver to those, after its
   * retries, goes to one dead-letter queue (`<prefix>alerts-undelivered`). None: no such queue.
   */
  readonly undeliveredFrom: readonly string[];
  /** Topics the dead-letter queues' alarms notify (the default route's). */
  readonly alarmTopicArns: readonly string[];
}

/** What a reader of a SIEM queue may do (SQS developer guide, "Amazon SQS API permissions"). */
export const SIEM_READER_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
  "sqs:GetQueueUrl",
] as const;

/**
 * The queues of the alert channels, all encrypted (SSE-SQS) and TLS-only (src/constructs/private-queue.ts):
 * - per SQS channel, a queue that only the channel's route topics may send to (`aws:SourceArn`),
 *   with a dead-letter queue for messages the SIEM failed to process 5 times;
 * - one queue for what SNS could not deliver to a webhook or SIEM queue after its retries
 *   (subscription redrive policy), so a failed delivery is never a lost alert.
 * Each dead-letter queue has an alarm that notifies the default route within a minute. Resources are
 * keyed by channel name, never by position.
 */
export class AlertQueues extends Construct {
  /** By channel name. */
  readonly siem: Record<
    string,
    { readonly queue: PrivateQueue; readonly deadLetters: PrivateQueue }
  > = {};
  readonly undelivered?: PrivateQueue;
  readonly undeliveredQueueArn?: string;

  constructor(scope: Construct, id: string, p: AlertQueuesProps) {
    super(scope, id);
    const arn = (name: string) => `arn:aws:sqs:${p.region}:${p.account}:${name}`;
    if (p.undeliveredFrom.length > 0) {
      const name = `${p.resourcePrefix}alerts-undelivered`;
      this.undeliveredQueueArn = arn(name);
      this.undelivered = new PrivateQueue(this, "undelivered", {
        queueName: name,
        queueArn: this.undeliveredQueueArn,
        grants: [fromTopics("AlertTopicsDeadLetters", this.undeliveredQueueArn, p.undeliveredFrom)],
      });
      queueNotEmptyAlarm(this, "undelivered-alarm", {
        queueName: name,
        description:
          `trailwatch could not deliver an alert to a webhook or SIEM queue after SNS's retries: the ` +
          `message is on the queue ${name}. The message's attributes name the topic; check the ` +
          `endpoint, then read the message (it holds the alert) and delete it.`,
        alarmActions: p.alarmTopicArns,
      });
    }
    for (const q of p.siemQueues) {
      const key = `siem-${stableId(q.name)}`;
      const name = `${p.resourcePrefix}alerts-${q.name}`;
      const dlqName = `${name}-dlq`;
      const deadLetters = new PrivateQueue(this, `${key}-dlq`, {
        queueName: dlqName,
        queueArn: arn(dlqName),
        grants: readerGrants(arn(dlqName), q.readers),
      });
      const queue = new PrivateQueue(this, key, {
        queueName: name,
        queueArn: arn(name),
        grants: [
          fromTopics("AlertTopicsDeliver", arn(name), q.topicArns),
          ...readerGrants(arn(name), q.readers),
        ],
        deadLetterQueueArn: arn(dlqName),
        maxReceiveCount: 5,
      });
      this.siem[q.name] = { queue, deadLetters };
      queueNotEmptyAlarm(this, `${key}-dlq-alarm`, {
        queueName: dlqName,
        description:
          `The SIEM reading ${name} failed to process alerts 5 times: they moved to ${dlqName}. ` +
          `Check the SIEM's collector, then redrive the messages to ${name}.`,
        alarmActions: p.alarmTopicArns,
      });
    }
  }
}

/** SNS may send to the queue only for the given topics (`aws:SourceArn`). */
function fromTopics(sid: string, queueArn: string, topicArns: readonly string[]): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": [...topicArns].sort() } },
  };
}

function readerGrants(queueArn: string, readers: readonly string[]): Statement[] {
  if (readers.length === 0) return [];
  return [
    {
      Sid: "SiemReaders",
      Effect: "Allow",
      Principal: { AWS: [...readers] },
      Action: [...SIEM_READER_ACTIONS],
      Resource: queueArn,
    },
  ];
}
