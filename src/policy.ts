/** IAM policy documents as typed data, rendered with JSON.stringify (all ARNs are plain strings). */
export type ConditionBlock = Record<string, Record<string, string | string[] | boolean>>;

export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?:
    "*" | { readonly Service?: string | string[]; readonly AWS?: string | string[] };
  readonly Action: string | string[];
  /** Absent only in role trust policies. */
  readonly Resource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Statement[];
}

export function policy(...statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}

/** Denies every request to the resources that does not use TLS (Security Hub S3.5 / SNS). */
export function denyInsecureTransport(action: string, resources: string[]): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Key policy statement letting CloudWatch Logs in `region` encrypt and decrypt with a KMS key, only
 * for the log groups `logGroupArn` names: one ARN (compared with ArnEquals) or a pattern with `*`
 * (ArnLike). Source: AWS CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using
 * AWS Key Management Service", step 2 (the key policy and its `kms:EncryptionContext:aws:logs:arn`
 * condition).
 */
export function logsKeyUse(sid: string, region: string, logGroupArn: string): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ],
    Resource: "*",
    Condition: {
      [logGroupArn.includes("*") ? "ArnLike" : "ArnEquals"]: {
        "kms:EncryptionContext:aws:logs:arn": logGroupArn,
      },
    },
  };
}
