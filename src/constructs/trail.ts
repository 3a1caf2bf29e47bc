import { Construct } from "constructs";
import {
  Cloudtrail,
  type CloudtrailAdvancedEventSelector,
} from "@cdktf/provider-aws/lib/cloudtrail";
import type { ITerraformDependable } from "cdktf";
import type { Names } from "../names";
import { s3ObjectArnPrefix } from "../s3-arn";

export type ReadWrite = "All" | "ReadOnly" | "WriteOnly";

export interface ManagementEventSelection {
  readonly readWrite: ReadWrite;
  /** Event sources left out of the trail (only kms and rdsdata can be excluded). */
  readonly excludeSources: readonly string[];
}

export interface TrailProps {
  readonly names: Names;
  readonly kmsKeyArn: string;
  readonly logGroupArn: string;
  readonly cloudWatchLogsRoleArn: string;
  readonly managementEvents: ManagementEventSelection;
  /** S3 object-level data events. @default none */
  readonly s3DataEvents?: readonly { readonly bucket: string; readonly readWrite: ReadWrite }[];
  /**
   * S3 object-level events for every bucket except `exceptBuckets` (which must include the log
   * archive: the trail would otherwise log its own log-file writes). @default none
   */
  readonly s3DataEventsAllBuckets?: AllBucketsDataEvents;
  /**
   * An organization trail (created in the management account or by the CloudTrail delegated
   * administrator; trusted access for cloudtrail.amazonaws.com must be enabled). @default false
   */
  readonly organizationTrail?: boolean;
  /** CloudTrail Insights types. @default none */
  readonly insights?: { readonly apiCallRate: boolean; readonly apiErrorRate: boolean };
  /** Resources the trail needs first (bucket policy, key policy). */
  readonly dependsOn?: ITerraformDependable[];
}

export interface AllBucketsDataEvents {
  readonly readWrite: ReadWrite;
  /** Bucket names left out. */
  readonly exceptBuckets: readonly string[];
}

/**
 * The multi-region trail (optionally an organization trail): every region, global service events,
 * validated, encrypted logs; `prevent_destroy`.
 */
export class Trail extends Construct {
  readonly trail: Cloudtrail;

  constructor(scope: Construct, id: string, props: TrailProps) {
    super(scope, id);
    const n = props.names;
    const insights = [
      ...(props.insights?.apiCallRate ? [{ insightType: "ApiCallRateInsight" }] : []),
      ...(props.insights?.apiErrorRate ? [{ insightType: "ApiErrorRateInsight" }] : []),
    ];
    this.trail = new Cloudtrail(this, "trail", {
      name: n.trailName,
      s3BucketName: n.archiveBucket,
      isMultiRegionTrail: true,
      // Without it IAM, STS and console sign-in events (delivered to us-east-1) are lost.
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: props.kmsKeyArn,
      // CloudTrail requires the log-stream wildcard on the group ARN.
      cloudWatchLogsGroupArn: `${props.logGroupArn}:*`,
      cloudWatchLogsRoleArn: props.cloudWatchLogsRoleArn,
      advancedEventSelector: eventSelectors(
        props.managementEvents,
        props.s3DataEvents ?? [],
        props.s3DataEventsAllBuckets,
      ),
      insightSelector: insights.length > 0 ? insights : undefined,
      isOrganizationTrail: props.organizationTrail ? true : undefined,
      dependsOn: props.dependsOn,
      // Replacing the trail (a new name) would leave a gap in logging: such a plan must fail.
      lifecycle: { preventDestroy: true },
    });
  }
}

/**
 * Advanced event selectors: management events per the profile, then S3 data events for listed
 * buckets, then (optionally) for all buckets but the excepted ones. CloudTrail logs an event
 * that matches any selector.
 */
export function eventSelectors(
  management: ManagementEventSelection,
  s3DataEvents: readonly { readonly bucket: string; readonly readWrite: ReadWrite }[],
  allBuckets?: AllBucketsDataEvents,
): CloudtrailAdvancedEventSelector[] {
  // Lists are sorted, so reordering the configuration's lists changes nothing in the plan.
  const excluded = [...management.excludeSources].sort();
  const selectors: CloudtrailAdvancedEventSelector[] = [
    {
      name: managementSelectorName({ ...management, excludeSources: excluded }),
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Management"] },
        ...readOnlySelector(management.readWrite),
        ...(excluded.length > 0 ? [{ field: "eventSource", notEquals: excluded }] : []),
      ],
    },
  ];
  for (const readWrite of ["All", "ReadOnly", "WriteOnly"] as const) {
    const buckets = s3DataEvents.filter((d) => d.readWrite === readWrite).map((d) => d.bucket);
    if (buckets.length === 0) continue;
    selectors.push({
      name: `S3 object-level events (${readWrite}) for listed buckets`,
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Data"] },
        { field: "resources.type", equalTo: ["AWS::S3::Object"] },
        ...readOnlySelector(readWrite),
        { field: "resources.ARN", startsWith: sortedPrefixes(buckets) },
      ],
    });
  }
  if (allBuckets) {
    if (allBuckets.exceptBuckets.length === 0)
      throw new Error("S3 data events for all buckets need at least the log archive excepted");
    selectors.push({
      name: `S3 object-level events (${allBuckets.readWrite}) for all buckets except trailwatch's own`,
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Data"] },
        { field: "resources.type", equalTo: ["AWS::S3::Object"] },
        ...readOnlySelector(allBuckets.readWrite),
        // Negated operators exclude every value listed (as NotEquals on eventSource does above).
        { field: "resources.ARN", notStartsWith: allBuckets.exceptBuckets.map(s3ObjectArnPrefix) },
      ],
    });
  }
  return selectors;
}

function sortedPrefixes(buckets: readonly string[]): string[] {
  return [...new Set(buckets.map(s3ObjectArnPrefix))].sort();
}

function readOnlySelector(readWrite: ReadWrite) {
  if (readWrite === "All") return [];
  return [{ field: "readOnly", equalTo: [readWrite === "ReadOnly" ? "true" : "false"] }];
}

function managementSelectorName(m: ManagementEventSelection): string {
  const rw = { All: "read and write", ReadOnly: "read-only", WriteOnly: "write-only" }[m.readWrite];
  const excluded = m.excludeSources.length > 0 ? `, excluding ${m.excludeSources.join(", ")}` : "";
  return `Management events (${rw}${excluded})`;
}
