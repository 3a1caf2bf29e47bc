/**
 * What an action did, for the result page, the follow-up notification and the DynamoDB record,
 * and the AWS clients the effects use (one factory, so tests can fake the SDK clients at their
 * boundary with aws-sdk-client-mock and everything above stays real).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import type { ActionSettings } from "../action";

/**
 * - `done`: something was changed;
 * - `unchanged`: the resource already was as tight as the action makes it;
 * - `gone`: the resource no longer exists (or no longer has what the alert described);
 * - `partial`: some steps were done, others failed (`notes` say which; the link can be used again);
 * - `failed`: nothing could be done (the link can be used again).
 */
export type OutcomeStatus = "done" | "unchanged" | "gone" | "partial" | "failed";

export interface Outcome {
  readonly status: OutcomeStatus;
  /** What was changed, one sentence each. */
  readonly changes: readonly string[];
  /** What was found already tight, gone, skipped or refused, and why. */
  readonly notes: readonly string[];
  /** How to undo each change (AWS CLI commands or instructions). */
  readonly undo: readonly string[];
}

export interface AwsClients {
  s3(region: string): S3Client;
  iam(): IAMClient;
  ec2(region: string): EC2Client;
  rds(region: string): RDSClient;
}

export interface EffectContext {
  readonly clients: AwsClients;
  readonly settings: ActionSettings;
  /** This account: S3 calls carry it as `ExpectedBucketOwner`. */
  readonly account: string;
}

/** Clients created once per region and reused across invocations (SDK default retries: 3 attempts). */
export function defaultClients(): AwsClients {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    // A bucket in another region than the one the link names still answers (S3 redirects).
    s3: (region) =>
      once(`s3:${region}`, () => new S3Client({ region, followRegionRedirects: true })),
    // IAM is global: its endpoint is us-east-1 (aws partition).
    iam: () => once("iam", () => new IAMClient({ region: "us-east-1" })),
    ec2: (region) => once(`ec2:${region}`, () => new EC2Client({ region })),
    rds: (region) => once(`rds:${region}`, () => new RDSClient({ region })),
  };
}

/** The AWS error code of an SDK v3 error (`name`), or undefined for anything else. */
export function errorCode(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

/** Throws `e` unless its error code is one of `codes`. */
export function unless(e: unknown, ...codes: string[]): void {
  const code = errorCode(e);
  if (!code || !codes.includes(code)) throw e;
}

/** The resource no longer exists: the action ends with status `gone`. */
export class ResourceGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResourceGone";
  }
}

/** Collects the steps of one action into an {@link Outcome}. */
export class OutcomeBuilder {
  readonly changes: string[] = [];
  readonly notes: string[] = [];
  readonly undo: string[] = [];
  private failures = 0;

  changed(what: string, undo?: string): void {
    this.changes.push(what);
    if (undo) this.undo.push(undo);
  }

  note(what: string): void {
    this.notes.push(what);
  }

  failed(what: string): void {
    this.failures++;
    this.notes.push(what);
  }

  build(goneIfNothing = false): Outcome {
    const status =
      this.failures > 0
        ? this.changes.length > 0
          ? "partial"
          : "failed"
        : this.changes.length > 0
          ? "done"
          : goneIfNothing
            ? "gone"
            : "unchanged";
    return { status, changes: this.changes, notes: this.notes, undo: this.undo };
  }
}

/** An AWS error in words for a page: its code and message, never a stack. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
