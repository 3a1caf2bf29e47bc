/**
 * One DynamoDB item per (CloudTrail event, action): the conditional write that lets a link act
 * once. A click claims the item (`PutItem` with a condition), acts, then records the outcome
 * (`UpdateItem` conditioned on its own claim token, so a slow first attempt cannot overwrite a
 * later one). A claim may be taken over only when the earlier attempt failed, or was left
 * `started` longer than the function can run (a crashed or timed-out invocation).
 *
 * Items expire through DynamoDB TTL one day after the link does; by then the link's own expiry
 * refuses it before the table is consulted.
 *
 * Sources: DynamoDB developer guide ("Condition expressions", "Time to Live": the TTL attribute is
 * a Number of epoch seconds), API reference (PutItem `ReturnValuesOnConditionCheckFailure`).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Outcome, OutcomeStatus } from "./effects/outcome";

import { PARTITION_KEY, TTL_ATTRIBUTE } from "./constants";

export { PARTITION_KEY, TTL_ATTRIBUTE };

/** Seconds an item outlives its link. */
const RETENTION_AFTER_EXPIRY = 24 * 3600;

export type LedgerStatus = "started" | OutcomeStatus;

export interface LedgerEntry {
  readonly status: LedgerStatus;
  /** Milliseconds since the epoch. */
  readonly claimedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly outcome?: Outcome;
}

export type Claim =
  | { readonly kind: "claimed"; readonly token: string }
  | { readonly kind: "taken"; readonly entry: LedgerEntry };

const RETRYABLE: readonly LedgerStatus[] = ["failed", "partial"];

function toEntry(item: Record<string, AttributeValue> | undefined): LedgerEntry | undefined {
  if (!item?.status?.S) return undefined;
  let outcome: Outcome | undefined;
  try {
    outcome = item.outcome?.S ? (JSON.parse(item.outcome.S) as Outcome) : undefined;
  } catch {
    outcome = undefined;
  }
  return {
    status: item.status.S as LedgerStatus,
    claimedAt: Number(item.claimedAt?.N ?? 0),
    sourceIp: item.sourceIp?.S ?? "",
    userAgent: item.userAgent?.S ?? "",
    outcome,
  };
}

export class Ledger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    /** A `started` claim older than this (ms) was abandoned: the function's timeout plus margin. */
    private readonly staleAfterMs: number,
  ) {}

  static key(eventId: string, action: string): string {
    return `${eventId}#${action}`;
  }

  /** The item for a link, read strongly consistent; undefined when it was never used. */
  async lookup(key: string): Promise<LedgerEntry | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { [PARTITION_KEY]: { S: key } },
        ConsistentRead: true,
      }),
    );
    return toEntry(r.Item);
  }

  /**
   * Claims the link for one attempt.
   * @param linkExpires the link's expiry, Unix seconds (the item's TTL is a day later)
   */
  async claim(
    key: string,
    who: { sourceIp: string; userAgent: string },
    details: Readonly<Record<string, string>>,
    linkExpires: number,
    now: number,
    token: string,
  ): Promise<Claim> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            [PARTITION_KEY]: { S: key },
            status: { S: "started" },
            token: { S: token },
            claimedAt: { N: String(now) },
            sourceIp: { S: who.sourceIp },
            userAgent: { S: who.userAgent },
            ...Object.fromEntries(Object.entries(details).map(([k, v]) => [k, { S: v }])),
            [TTL_ATTRIBUTE]: { N: String(linkExpires + RETENTION_AFTER_EXPIRY) },
          },
          ConditionExpression:
            "attribute_not_exists(#pk) OR #status IN (:failed, :partial) OR (#status = :started AND #claimedAt < :stale)",
          ExpressionAttributeNames: {
            "#pk": PARTITION_KEY,
            "#status": "status",
            "#claimedAt": "claimedAt",
          },
          ExpressionAttributeValues: {
            ":failed": { S: RETRYABLE[0] },
            ":partial": { S: RETRYABLE[1] },
            ":started": { S: "started" },
            ":stale": { N: String(now - this.staleAfterMs) },
          },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { kind: "claimed", token };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const entry = toEntry(e.Item) ?? (await this.lookup(key));
      if (!entry) throw new Error("the link's record changed while it was being claimed");
      return { kind: "taken", entry };
    }
  }

  /** Records the outcome of the attempt that holds `token`. */
  async finish(key: string, token: string, outcome: Outcome, now: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { [PARTITION_KEY]: { S: key } },
        UpdateExpression: "SET #status = :status, #outcome = :outcome, #finishedAt = :now",
        ConditionExpression: "#token = :token",
        ExpressionAttributeNames: {
          "#status": "status",
          "#outcome": "outcome",
          "#finishedAt": "finishedAt",
          "#token": "token",
        },
        ExpressionAttributeValues: {
          ":status": { S: outcome.status },
          ":outcome": { S: JSON.stringify(outcome) },
          ":now": { N: String(now) },
          ":token": { S: token },
        },
      }),
    );
  }
}
