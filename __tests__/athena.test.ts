import { Testing } from "cdktf";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import {
  CLOUDTRAIL_COLUMNS,
  CLOUDTRAIL_INPUT_FORMAT,
  CLOUDTRAIL_OUTPUT_FORMAT,
  CLOUDTRAIL_SERDE,
} from "../src/athena/cloudtrail-table";
import {
  investigationQueries,
  partitionRange,
  type QueryContext,
  type SavedQuery,
} from "../src/athena/queries";
import { AWS_REGIONS } from "../src/config/regions";
import { eventSelectors } from "../src/constructs/trail";
import { catalog } from "../src/detections/catalog";
import { filterPatternOf } from "../src/detections/render";
import { selectDetections } from "../src/detections/select";
import { compileFilterPattern } from "../src/patterns/filter-pattern";
import { renderConditionToSql } from "../src/patterns/sql-condition";
import { build, config, resourcesOf, synthJson, type TerraformJson } from "./helpers";
import { athenaEngine, dayOf, type AthenaEngine } from "./support/athena-engine";
import { ALL_RECORDS, WATCHED, type CloudTrailRecord } from "./support/records";

const ACCOUNT = "111122223333";
const ARCHIVE = `trailwatch-cloudtrail-${ACCOUNT}-ap-northeast-1`;
const ACCESS_LOGS = `trailwatch-s3-access-${ACCOUNT}-ap-northeast-1`;
const RESULTS = `trailwatch-athena-${ACCOUNT}-ap-northeast-1`;

const ATHENA = {
  enabled: true,
  timeZone: "Asia/Tokyo",
  projectionStartDate: "2024/01/01",
  bytesScannedCutoffPerQuery: 1073741824,
  resultsRetentionDays: 14,
};

const { home } = build({ athena: ATHENA });
const raw = Testing.synth(home);
const json = synthJson(home);

function one(j: TerraformJson, type: string): Record<string, any> {
  const all = resourcesOf(j, type);
  expect(all).toHaveLength(1);
  return all[0];
}

function forBucket(j: TerraformJson, type: string, name: string) {
  const [id] = Object.entries(j.resource.aws_s3_bucket).find(([, b]) => b.bucket === name)!;
  return resourcesOf(j, type).filter((r) => r.bucket === `\${aws_s3_bucket.${id}.id}`);
}

describe("athena: off by default", () => {
  test("without the switch no Glue, Athena or results-bucket resource is rendered", () => {
    const { home: h } = build({ athena: undefined });
    const j = synthJson(h);
    for (const type of [
      "aws_glue_catalog_database",
      "aws_glue_catalog_table",
      "aws_athena_workgroup",
      "aws_athena_named_query",
    ])
      expect(resourcesOf(j, type)).toEqual([]);
    expect(resourcesOf(j, "aws_s3_bucket").map((b) => b.bucket)).not.toContain(RESULTS);
    expect(Object.keys(j.output ?? {})).not.toContain("athena_workgroup");
    expect(h.athena).toBeUndefined();
  });

  test("turned on by the one switch, with documented defaults", () => {
    const c = config({ athena: { enabled: true } });
    expect(c.athena).toEqual({
      enabled: true,
      timeZone: "UTC",
      projectionStartDate: "2020/01/01",
      bytesScannedCutoffPerQuery: 10737418240,
      resultsRetentionDays: 30,
    });
    const { home: h } = build({ athena: { enabled: true } });
    expect(h.athena?.queries.length).toBeGreaterThan(5);
  });
});

describe("athena: Glue database and CloudTrail table", () => {
  test("database named after the deployment (no hyphen allowed)", () => {
    expect(Testing.synth(home)).toHaveResourceWithProperties(GlueCatalogDatabase, {
      name: "trailwatch",
    });
    const { home: h } = build({ name: "my-watch", athena: ATHENA });
    expect(one(synthJson(h), "aws_glue_catalog_database").name).toBe("my_watch");
  });

  test("external table over the trail's CloudTrail prefix with the Hive JSON SerDe and CloudTrail input format", () => {
    const t = one(json, "aws_glue_catalog_table");
    expect(t.name).toBe("cloudtrail");
    expect(t.table_type).toBe("EXTERNAL_TABLE");
    expect(t.database_name).toMatch(/^\$\{aws_glue_catalog_database\.[\w-]+\.name\}$/);
    expect(t.storage_descriptor).toEqual({
      location: `s3://${ARCHIVE}/AWSLogs/${ACCOUNT}/CloudTrail/`,
      input_format: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
      output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      ser_de_info: { serialization_library: "org.apache.hive.hcatalog.data.JsonSerDe" },
      columns: CLOUDTRAIL_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
    });
    expect([CLOUDTRAIL_SERDE, CLOUDTRAIL_INPUT_FORMAT, CLOUDTRAIL_OUTPUT_FORMAT]).toEqual([
      t.storage_descriptor.ser_de_info.serialization_library,
      t.storage_descriptor.input_format,
      t.storage_descriptor.output_format,
    ]);
    expect(GlueCatalogTable.tfResourceType).toBe("aws_glue_catalog_table");
  });

  test("the standard CloudTrail columns, nested structs included", () => {
    const cols = Object.fromEntries(
      one(json, "aws_glue_catalog_table").storage_descriptor.columns.map((c: any) => [
        c.name,
        c.type,
      ]),
    );
    for (const name of [
      "eventversion",
      "eventtime",
      "eventsource",
      "eventname",
      "awsregion",
      "sourceipaddress",
      "useragent",
      "errorcode",
      "errormessage",
      "requestparameters",
      "responseelements",
      "additionaleventdata",
      "requestid",
      "eventid",
      "eventtype",
      "apiversion",
      "readonly",
      "recipientaccountid",
      "serviceeventdetails",
      "sharedeventid",
      "vpcendpointid",
      "eventcategory",
    ])
      expect(cols[name]).toBe("string");
    expect(cols.useridentity).toMatch(
      /^struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,/,
    );
    expect(cols.useridentity).toContain(
      "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>",
    );
    expect(cols.resources).toBe("array<struct<arn:string,accountid:string,type:string>>");
    expect(cols.tlsdetails).toBe(
      "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>",
    );
  });

  test("partition projection: region (enum of every region) and timestamp (daily, yyyy/MM/dd, start to NOW)", () => {
    const t = one(json, "aws_glue_catalog_table");
    expect(t.partition_keys).toEqual([
      { name: "region", type: "string" },
      { name: "timestamp", type: "string" },
    ]);
    expect(t.parameters).toEqual({
      EXTERNAL: "TRUE",
      classification: "cloudtrail",
      "projection.enabled": "true",
      "projection.region.type": "enum",
      "projection.region.values": AWS_REGIONS.join(","),
      "projection.timestamp.type": "date",
      "projection.timestamp.format": "yyyy/MM/dd",
      "projection.timestamp.range": "2024/01/01,NOW",
      "projection.timestamp.interval": "1",
      "projection.timestamp.interval.unit": "DAYS",
      "storage.location.template": `s3://${ARCHIVE}/AWSLogs/${ACCOUNT}/CloudTrail/$\${region}/$\${timestamp}`,
    });
    // Every region the multi-region trail may log, not only the watched ones.
    expect(t.parameters["projection.region.values"].split(",")).toEqual(
      expect.arrayContaining(["us-east-1", "ap-northeast-1", "eu-west-1", "af-south-1"]),
    );
  });

  test("the template's ${...} placeholders are escaped for Terraform in the synthesized JSON text", () => {
    expect(raw).toContain("/CloudTrail/$${region}/$${timestamp}");
    // No unescaped ${region} / ${timestamp}: Terraform would fail on an unknown reference.
    expect(raw).not.toMatch(/(?<!\$)\$\{(region|timestamp)\}/);
  });
});

describe("athena: workgroup and results bucket", () => {
  test("workgroup enforces its configuration: engine 3, metrics, cutoff, encrypted result location", () => {
    expect(Testing.synth(home)).toHaveResourceWithProperties(AthenaWorkgroup, {
      name: "trailwatch",
      state: "ENABLED",
      force_destroy: false,
    });
    const w = one(json, "aws_athena_workgroup");
    expect(w.configuration).toEqual({
      enforce_workgroup_configuration: true,
      publish_cloudwatch_metrics_enabled: true,
      bytes_scanned_cutoff_per_query: 1073741824,
      requester_pays_enabled: false,
      engine_version: { selected_engine_version: "Athena engine version 3" },
      result_configuration: {
        output_location: `s3://${RESULTS}/results/`,
        expected_bucket_owner: ACCOUNT,
        encryption_configuration: {
          encryption_option: "SSE_KMS",
          kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/),
        },
      },
    });
    expect(w.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  test("the cutoff comes from config; the default is 10 GiB", () => {
    const { home: h } = build({ athena: { enabled: true } });
    expect(
      one(synthJson(h), "aws_athena_workgroup").configuration.bytes_scanned_cutoff_per_query,
    ).toBe(10737418240);
  });

  test("results bucket: private, versioned, SSE-KMS with the trail key, TLS only, never force-destroyed", () => {
    const [bucket] = resourcesOf(json, "aws_s3_bucket").filter((b) => b.bucket === RESULTS);
    expect(bucket.force_destroy).toBe(false);
    // Results are disposable copies; prevent_destroy would make `enabled: false` unplannable.
    expect(bucket.lifecycle).toEqual({ prevent_destroy: false });
    expect(forBucket(json, "aws_s3_bucket_public_access_block", RESULTS)).toEqual([
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ]);
    expect(forBucket(json, "aws_s3_bucket_ownership_controls", RESULTS)[0].rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    expect(
      forBucket(json, "aws_s3_bucket_versioning", RESULTS)[0].versioning_configuration,
    ).toEqual({
      status: "Enabled",
    });
    expect(
      forBucket(json, "aws_s3_bucket_server_side_encryption_configuration", RESULTS)[0].rule,
    ).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
        },
        bucket_key_enabled: true,
      },
    ]);
    expect(
      JSON.parse(forBucket(json, "aws_s3_bucket_policy", RESULTS)[0].policy).Statement,
    ).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${RESULTS}`, `arn:aws:s3:::${RESULTS}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("results lifecycle: expire after resultsRetentionDays, noncurrent versions after a day", () => {
    const [lc] = forBucket(json, "aws_s3_bucket_lifecycle_configuration", RESULTS);
    expect(lc.rule[0]).toEqual(
      expect.objectContaining({
        id: "retention",
        status: "Enabled",
        expiration: [{ days: 14 }],
        noncurrent_version_expiration: [{ noncurrent_days: 1 }],
      }),
    );
  });

  test("outputs name the workgroup and the database", () => {
    expect(json.output!.athena_workgroup.value).toMatch(
      /^\$\{aws_athena_workgroup\.[\w-]+\.name\}$/,
    );
    expect(json.output!.athena_database.value).toMatch(
      /^\$\{aws_glue_catalog_database\.[\w-]+\.name\}$/,
    );
  });
});

describe("athena: saved queries", () => {
  const queries = resourcesOf(json, "aws_athena_named_query");
  const enabled = selectDetections(config({ athena: ATHENA }), WATCHED);

  test("five investigation queries plus one per enabled detection, named with the prefix", () => {
    expect(queries).toHaveLength(5 + enabled.length);
    const names = queries.map((q) => q.name).sort();
    expect(names).toEqual(
      [
        "s3-object-activity",
        "root-activity",
        "failed-calls-by-principal",
        "console-sign-ins",
        "trailwatch-changes",
        ...enabled.map((d) => `detection-${d.id}`),
      ]
        .map((id) => `trailwatch-${id}`)
        .sort(),
    );
    for (const q of queries) {
      expect(q.database).toMatch(/^\$\{aws_glue_catalog_database\.[\w-]+\.name\}$/);
      expect(q.workgroup).toMatch(/^\$\{aws_athena_workgroup\.[\w-]+\.name\}$/);
      expect(q.name.length).toBeLessThanOrEqual(128);
      expect(q.description.length).toBeLessThanOrEqual(1024);
    }
    expect(AthenaNamedQuery.tfResourceType).toBe("aws_athena_named_query");
  });

  test("every query reads a bounded partition range, never the whole archive", () => {
    for (const q of queries) {
      expect(q.query).toContain(`WHERE ${partitionRange(7)}`);
      expect(q.query).toContain(`FROM "trailwatch"."cloudtrail"`);
      expect(q.query).toMatch(/\nLIMIT 1000$/);
    }
  });

  test("a ${ in a query is always a Terraform reference (the key's ARN and id), never literal SQL", () => {
    for (const q of queries)
      for (const m of q.query.matchAll(/\$+\{[^}]*\}/g))
        expect(m[0]).toMatch(/^\$\{aws_kms_key\.[\w-]+\.(arn|key_id)\}$/);
  });

  test("object-level query: who, what, which object, in the configured time zone", () => {
    const q = queries.find((x) => x.name === "trailwatch-s3-object-activity")!;
    expect(q.query).toContain(
      "format_datetime(try(from_iso8601_timestamp(eventtime)) AT TIME ZONE 'Asia/Tokyo', 'yyyy-MM-dd HH:mm:ss') AS local_time",
    );
    expect(q.query).toContain("json_extract_scalar(requestparameters, '$.key') AS object_key");
    expect(q.query).toContain("eventsource = 's3.amazonaws.com'\n    AND eventcategory = 'Data'");
  });

  test("each detection query's WHERE clause is its condition rendered to SQL", () => {
    const ctx: QueryContext = {
      database: "trailwatch",
      table: "cloudtrail",
      timeZone: "Asia/Tokyo",
    };
    const ds = catalog(WATCHED);
    const byId = new Map(investigationQueries(ctx, ds, WATCHED).map((q) => [q.id, q]));
    for (const d of ds) {
      const sql = byId.get(`detection-${d.id}`)!.sql;
      expect(sql).toContain(
        `  AND (\n    ${renderConditionToSql(d.condition, undefined, "    ")}\n  )`,
      );
      expect(sql).toContain(`(trailwatch detection ${d.id})`);
    }
  });

  test("time zones are quoted as SQL literals; lookback is configurable per call", () => {
    const q = investigationQueries(
      { database: "db", table: "t", timeZone: "America/Argentina/Buenos_Aires", lookbackDays: 30 },
      [],
      WATCHED,
    );
    expect(q[0].sql).toContain("AT TIME ZONE 'America/Argentina/Buenos_Aires'");
    expect(q[0].sql).toContain("interval '30' day");
    expect(() => partitionRange(-1)).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// The saved queries, run: DuckDB with the table's columns and Athena's function semantics.

/** S3 data events modelled on the CloudTrail user guide's S3 data event example (PutObject). */
function s3DataEvent(
  id: string,
  eventName: string,
  key: string,
  eventTime: string,
): CloudTrailRecord {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLE",
      arn: `arn:aws:iam::${ACCOUNT}:user/miyagawa-test`,
      accountId: ACCOUNT,
      accessKeyId: "AKIAEXAMPLE",
      userName: "miyagawa-test",
    },
    eventTime,
    eventSource: "s3.amazonaws.com",
    eventName,
    awsRegion: "ap-northeast-1",
    sourceIPAddress: "192.0.2.10",
    userAgent: "[S3Console/0.4]",
    requestParameters: { bucketName: "miyagawa-test", Host: "miyagawa-test.s3.amazonaws.com", key },
    responseElements: null,
    requestID: "EXAMPLE123",
    eventID: id,
    readOnly: eventName.startsWith("Get"),
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::miyagawa-test/${key}` },
      { accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::miyagawa-test" },
    ],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: "Data",
    _source: "constructed",
  };
}

describe("athena: the saved queries run (DuckDB stand-in) and return what they promise", () => {
  const ctx: QueryContext = { database: "trailwatch", table: "cloudtrail", timeZone: "Asia/Tokyo" };
  const detections = catalog(WATCHED);
  let saved: SavedQuery[];
  let engine: AthenaEngine;
  const daysAgo = (n: number) => dayOf(new Date(Date.now() - n * 86400000).toISOString());
  const S3_EVENTS = [
    s3DataEvent("s3-put", "PutObject", "hoge.png", "2019-12-03T15:30:00Z"),
    s3DataEvent("s3-delete", "DeleteObject", "reports/2019.csv", "2019-12-04T01:02:03Z"),
    s3DataEvent("s3-week-old", "GetObject", "old.txt", "2019-11-27T00:00:00Z"),
    s3DataEvent("s3-too-old", "GetObject", "older.txt", "2019-11-26T00:00:00Z"),
  ];

  beforeAll(async () => {
    saved = investigationQueries(ctx, detections, WATCHED);
    // Every record in today's partition, except two S3 events 7 and 8 days back.
    const today = daysAgo(0);
    engine = await athenaEngine("trailwatch", "cloudtrail", [
      ...ALL_RECORDS.map((record) => ({ record, timestamp: today })),
      { record: S3_EVENTS[0], timestamp: today },
      { record: S3_EVENTS[1], timestamp: daysAgo(1) },
      { record: S3_EVENTS[2], timestamp: daysAgo(7) },
      { record: S3_EVENTS[3], timestamp: daysAgo(8) },
    ]);
  });
  afterAll(() => engine.close());

  const run = (id: string) => engine.rows(saved.find((q) => q.id === id)!.sql);
  const filterMatches = (pattern: string) => {
    const f = compileFilterPattern(pattern);
    return ALL_RECORDS.filter((r) => f(r)).map((r) => r.eventID);
  };

  test("every saved query runs", async () => {
    for (const q of saved) await expect(engine.rows(q.sql)).resolves.toEqual(expect.any(Array));
  });

  test("object-level activity: the seed's who/what/which object, in Tokyo time, within the range", async () => {
    const all = await run("s3-object-activity");
    // The fixtures' own S3 data events (the threat pack's ransomware records) are in today's
    // partition too: every one is listed, and the seeded events keep their order and fields.
    const fixtures = ALL_RECORDS.filter(
      (r) => r.eventSource === "s3.amazonaws.com" && r.eventCategory === "Data",
    ).map((r) => r.eventID);
    expect(fixtures.length).toBeGreaterThan(0);
    expect(
      all
        .map((r) => String(r.eventid))
        .filter((id) => fixtures.includes(id))
        .sort(),
    ).toEqual([...fixtures].sort());
    const rows = all.filter((r) => !fixtures.includes(String(r.eventid)));
    expect(rows.map((r) => r.eventid)).toEqual(["s3-delete", "s3-put", "s3-week-old"]);
    expect(rows[1]).toEqual(
      expect.objectContaining({
        local_time: "2019-12-04 00:30:00", // 15:30 UTC is past midnight in Tokyo
        eventname: "PutObject",
        principal: `arn:aws:iam::${ACCOUNT}:user/miyagawa-test`,
        username: "miyagawa-test",
        bucket: "miyagawa-test",
        object_key: "hoge.png",
      }),
    );
    expect(rows[0].local_time).toBe("2019-12-04 10:02:03");
  });

  test("root activity is the CIS root-usage condition", async () => {
    const rows = await run("root-activity");
    const expected = filterMatches(
      filterPatternOf(detections.find((d) => d.id === "cis-root-usage")!),
    );
    expect(rows.map((r) => r.eventid).sort()).toEqual(expected.sort());
    expect(rows.length).toBeGreaterThan(0);
  });

  test("failed calls by principal count every failed call once; denied marks authorization errors", async () => {
    const rows = await run("failed-calls-by-principal");
    const failed = ALL_RECORDS.filter((r) => typeof r.errorCode === "string");
    expect(rows.reduce((n, r) => n + Number(r.calls), 0)).toBe(failed.length);
    const denied = new Set(
      filterMatches(
        filterPatternOf(detections.find((d) => d.id === "cis-unauthorized-api-calls")!),
      ),
    );
    const deniedCalls = rows
      .filter((r) => r.denied === true)
      .reduce((n, r) => n + Number(r.calls), 0);
    expect(deniedCalls).toBe(failed.filter((r) => denied.has(r.eventID)).length);
    expect(deniedCalls).toBeGreaterThan(0);
    expect(rows[0].denied).toBe(true); // denied first
  });

  test("console sign-ins: every ConsoleLogin, with result and MFA", async () => {
    const rows = await run("console-sign-ins");
    const expected = ALL_RECORDS.filter(
      (r) => r.eventName === "ConsoleLogin" && r.eventSource === "signin.amazonaws.com",
    );
    expect(rows.map((r) => r.eventid).sort()).toEqual(expected.map((r) => r.eventID).sort());
    const sample = expected.find((r) => r.responseElements?.ConsoleLogin)!;
    expect(rows.find((r) => r.eventid === sample.eventID)!.result).toBe(
      sample.responseElements.ConsoleLogin,
    );
  });

  test("changes to trailwatch's resources: exactly the union of the watcher detections' matches", async () => {
    const rows = await run("trailwatch-changes");
    const expected = new Set(
      detections
        .filter((d) => d.pack === "watcher")
        .flatMap((d) => filterMatches(filterPatternOf(d))),
    );
    expect(rows.map((r) => r.eventid).sort()).toEqual([...expected].sort());
    expect(expected.size).toBeGreaterThan(0);
  });

  test("each detection query returns exactly its metric filter's matches", async () => {
    for (const d of detections) {
      const rows = await run(`detection-${d.id}`);
      expect({ id: d.id, ids: rows.map((r) => r.eventid).sort() }).toEqual({
        id: d.id,
        ids: filterMatches(filterPatternOf(d)).sort(),
      });
    }
  });
});

describe("S3 data events for all buckets except trailwatch's own", () => {
  const selectorsOf = (j: TerraformJson) => one(j, "aws_cloudtrail").advanced_event_selector;

  test("with Athena and access logs: archive, access-log and results buckets are excluded", () => {
    const { home: h } = build({
      athena: ATHENA,
      trail: { s3DataEventsAllBuckets: { readWrite: "WriteOnly" } },
    });
    expect(selectorsOf(synthJson(h))).toEqual([
      {
        name: "Management events (read and write)",
        field_selector: [{ field: "eventCategory", equals: ["Management"] }],
      },
      {
        name: "S3 object-level events (WriteOnly) for all buckets except trailwatch's own",
        field_selector: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "readOnly", equals: ["false"] },
          {
            field: "resources.ARN",
            not_starts_with: [
              `arn:aws:s3:::${ARCHIVE}/`,
              `arn:aws:s3:::${ACCESS_LOGS}/`,
              `arn:aws:s3:::${RESULTS}/`,
            ],
          },
        ],
      },
    ]);
  });

  test("without them, only the archive; read/write selectable; listed buckets keep their selectors", () => {
    const input = config().archive;
    const { home: h } = build({
      athena: undefined,
      archive: { ...input, accessLogs: { enabled: false, retentionDays: 365 } },
      trail: {
        s3DataEvents: [{ bucket: "customer-data", readWrite: "All" }],
        s3DataEventsAllBuckets: { readWrite: "All" },
      },
    });
    const selectors = selectorsOf(synthJson(h));
    expect(selectors.map((s: any) => s.name)).toEqual([
      "Management events (read and write)",
      "S3 object-level events (All) for listed buckets",
      "S3 object-level events (All) for all buckets except trailwatch's own",
    ]);
    expect(selectors[2].field_selector).toEqual([
      { field: "eventCategory", equals: ["Data"] },
      { field: "resources.type", equals: ["AWS::S3::Object"] },
      { field: "resources.ARN", not_starts_with: [`arn:aws:s3:::${ARCHIVE}/`] },
    ]);
    const { home: r } = build({ trail: { s3DataEventsAllBuckets: { readWrite: "ReadOnly" } } });
    expect(selectorsOf(synthJson(r))[1].field_selector[2]).toEqual({
      field: "readOnly",
      equals: ["true"],
    });
  });

  test("an all-buckets selector with nothing excepted is refused (it would log the trail's own writes)", () => {
    const m = { readWrite: "All" as const, excludeSources: [] };
    expect(() => eventSelectors(m, [], { readWrite: "All", exceptBuckets: [] })).toThrow(
      /at least the log archive/,
    );
    expect(eventSelectors(m, [])).toHaveLength(1); // unchanged without the option
  });
});
