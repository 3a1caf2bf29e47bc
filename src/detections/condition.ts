/**
 * The CloudTrail condition of a detection, as data. One condition renders to a CloudWatch Logs
 * metric filter pattern (src/patterns/filter-pattern.ts), to an EventBridge event pattern
 * (src/patterns/event-pattern.ts) and to an Athena WHERE clause, and the tests evaluate every
 * rendering on real CloudTrail records.
 *
 * `field` is a dotted path into a CloudTrail record as delivered to S3 / CloudWatch Logs
 * (e.g. `eventName`, `userIdentity.type`, `additionalEventData.MFAUsed`).
 */
export type Scalar = string | number | boolean;

export type Condition =
  /** Every sub-condition holds. */
  | { readonly all: readonly Condition[] }
  /** At least one sub-condition holds. */
  | { readonly any: readonly Condition[] }
  /** The field equals one of the values (string comparison is exact and case-sensitive). */
  | { readonly field: string; readonly equals: readonly Scalar[] }
  /** The field is present and differs from the value. */
  | { readonly field: string; readonly notEquals: Scalar }
  /** The field is a string starting with the prefix. */
  | { readonly field: string; readonly prefix: string }
  /** The field is a string ending with the suffix. */
  | { readonly field: string; readonly suffix: string }
  /** The field is absent from the record (`exists: false`). */
  | { readonly field: string; readonly exists: false };

export const all = (...conditions: Condition[]): Condition => ({ all: conditions });
export const any = (...conditions: Condition[]): Condition => ({ any: conditions });
export const eq = (field: string, ...values: Scalar[]): Condition => ({ field, equals: values });
export const ne = (field: string, value: Scalar): Condition => ({ field, notEquals: value });
export const prefix = (field: string, value: string): Condition => ({ field, prefix: value });
export const suffix = (field: string, value: string): Condition => ({ field, suffix: value });
export const absent = (field: string): Condition => ({ field, exists: false });
