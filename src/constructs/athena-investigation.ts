import { Construct } from "constructs";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import type { AthenaNames } from "../athena/names";
import {
  CLOUDTRAIL_COLUMNS,
  CLOUDTRAIL_INPUT_FORMAT,
  CLOUDTRAIL_OUTPUT_FORMAT,
  CLOUDTRAIL_SERDE,
  cloudTrailLocation,
  partitionKeysFor,
  projectionParameters,
} from "../athena/cloudtrail-table";
import { investigationQueries, type SavedQuery } from "../athena/queries";
import type { Detection, WatchedResources } from "../detections/types";
import { denyInsecureTransport, policy } from "../policy";
import { PrivateBucket } from "./private-bucket";

export interface AthenaInvestigationProps {
  readonly names: AthenaNames;
  readonly account: string;
  /** The log archive bucket the trail delivers to. */
  readonly archiveBucket: string;
  /** The trail's S3 key prefix. @default "" (none) */
  readonly archivePrefix?: string;
  /**
   * Set for an organization trail: the table spans every account (`account` partition, injected),
   * and the saved queries read `account` (the deploying account) until edited.
   */
  readonly organizationId?: string;
  /** Regions partition projection enumerates: every region the multi-region trail can log. */
  readonly regions: readonly string[];
  /** First day partition projection covers, `yyyy/MM/dd`. */
  readonly projectionStartDate: string;
  /** IANA zone the saved queries show times in. */
  readonly timeZone: string;
  /** Athena cancels a query scanning more than this many bytes (at least 10 MB). */
  readonly bytesScannedCutoffPerQuery: number;
  /** Days query results are kept. */
  readonly resultsRetentionDays: number;
  /** The trail key: encrypts query results (SSE-KMS) as it encrypts the logs. */
  readonly kmsKeyArn: string;
  /** Enabled detections: one investigation query each. */
  readonly detections: readonly Detection[];
  /** trailwatch's own resources, for the "changes to trailwatch" query. */
  readonly watched: WatchedResources;
  /** Days back the saved queries read. @default DEFAULT_LOOKBACK_DAYS (7) */
  readonly lookbackDays?: number;
}

/**
 * Investigating with Athena: a Glue database and a partition-projected table over the archive's
 * CloudTrail prefix, a workgroup that enforces its settings (encrypted results in a dedicated
 * bucket, a bytes-scanned cutoff, CloudWatch metrics, engine version 3), and saved queries.
 */
export class AthenaInvestigation extends Construct {
  readonly results: PrivateBucket;
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly workgroup: AthenaWorkgroup;
  readonly queries: readonly SavedQuery[];

  constructor(scope: Construct, id: string, props: AthenaInvestigationProps) {
    super(scope, id);
    const n = props.names;
    this.results = new PrivateBucket(this, "results", {
      bucketName: n.resultsBucket,
      kmsKeyArn: props.kmsKeyArn,
      retention: { expireDays: props.resultsRetentionDays, noncurrentDays: 1 },
      policy: policy(
        denyInsecureTransport("s3:*", [n.resultsBucketArn, `${n.resultsBucketArn}/*`]),
      ),
    });
    // Query results are copies with a short life: keeping Terraform from destroying the bucket
    // would only make `athena.enabled: false` unplannable. force_destroy stays false, so a bucket
    // that still holds results is not deleted with them.
    this.results.bucket.addOverride("lifecycle.prevent_destroy", false);

    const layout = {
      bucket: props.archiveBucket,
      prefix: props.archivePrefix,
      account: props.account,
      organizationId: props.organizationId,
    };
    this.database = new GlueCatalogDatabase(this, "database", {
      name: n.database,
      description: "trailwatch: CloudTrail logs of the log archive, for Athena",
    });
    this.table = new GlueCatalogTable(this, "cloudtrail", {
      name: n.table,
      databaseName: this.database.name,
      description: `CloudTrail log files in ${cloudTrailLocation(layout)}, partitions projected by ${props.organizationId ? "account, " : ""}region and day`,
      tableType: "EXTERNAL_TABLE",
      parameters: projectionParameters({
        ...layout,
        regions: props.regions,
        startDate: props.projectionStartDate,
      }),
      partitionKeys: partitionKeysFor(layout).map((c) => ({ name: c.name, type: c.type })),
      storageDescriptor: {
        location: cloudTrailLocation(layout),
        inputFormat: CLOUDTRAIL_INPUT_FORMAT,
        outputFormat: CLOUDTRAIL_OUTPUT_FORMAT,
        serDeInfo: { serializationLibrary: CLOUDTRAIL_SERDE },
        columns: CLOUDTRAIL_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      },
    });

    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: n.workgroup,
      description: "trailwatch: investigate CloudTrail logs",
      state: "ENABLED",
      forceDestroy: false,
      configuration: {
        // Users cannot override the result location, encryption or cutoff per query.
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${n.resultsBucket}/results/`,
          expectedBucketOwner: props.account,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.kmsKeyArn },
        },
      },
      // Athena checks the result location when the workgroup is used, not when it is created;
      // ordering still keeps a first query from racing the bucket's policy.
      dependsOn: [this.results.policy],
    });

    this.queries = investigationQueries(
      {
        database: n.database,
        table: n.table,
        timeZone: props.timeZone,
        lookbackDays: props.lookbackDays,
        account: props.organizationId ? props.account : undefined,
      },
      props.detections,
      props.watched,
    );
    for (const q of this.queries) {
      new AthenaNamedQuery(this, `query-${q.id}`, {
        name: `${n.queryPrefix}${q.id}`,
        description: q.title.slice(0, 1024),
        database: this.database.name,
        workgroup: this.workgroup.name,
        query: q.sql,
      });
    }
  }
}
