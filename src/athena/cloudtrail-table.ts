/**
 * The Athena (Glue Data Catalog) table over the CloudTrail log archive, as data: columns, SerDe,
 * partition keys and the partition projection that finds log files without a crawler or
 * `ALTER TABLE ADD PARTITION`.
 *
 * Sources (AWS Athena user guide):
 * - "Create a table for CloudTrail logs in Athena using manual partitioning": the column list and
 *   types below, and the SerDe `org.apache.hive.hcatalog.data.JsonSerDe` with input format
 *   `com.amazon.emr.cloudtrail.CloudTrailInputFormat`. The page notes that the older
 *   `com.amazon.emr.hive.serde.CloudTrailSerde` "does not currently handle some of the newer
 *   CloudTrail fields", so the Hive JSON SerDe is used.
 * - "Create the table for CloudTrail logs in Athena using partition projection": `timestamp`
 *   partition of type `date`, format `yyyy/MM/dd`, range `<start>,NOW`, interval 1 DAYS, and
 *   `storage.location.template` = `s3://bucket/AWSLogs/<account>/CloudTrail/<region>/${timestamp}`.
 *   That example covers one region; a multi-region trail writes one prefix per region, so the
 *   region is a second, `enum`-projected partition key, placed in the template as `${region}`.
 *
 * `requestparameters`, `responseelements`, `additionaleventdata` and `serviceeventdetails` are
 * JSON kept as strings (their shape depends on the service); queries read them with
 * `json_extract_scalar`. With the Hive JSON SerDe a key missing from a record, or JSON `null`,
 * reads as SQL NULL, and a field of a NULL struct is NULL too (AWS's "Querying nested fields"
 * example relies on it: `WHERE useridentity.sessioncontext.sessionissuer.arn IS NOT NULL`).
 */

export const CLOUDTRAIL_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe";
export const CLOUDTRAIL_INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat";
export const CLOUDTRAIL_OUTPUT_FORMAT =
  "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

export interface TableColumn {
  readonly name: string;
  /** Hive type, as the Glue Data Catalog stores it (`string`, `struct<a:string>`, `array<...>`). */
  readonly type: string;
}

const struct = (fields: Record<string, string>): string =>
  `struct<${Object.entries(fields)
    .map(([k, v]) => `${k}:${v}`)
    .join(",")}>`;

/** The CloudTrail record columns, in AWS's documented order. */
export const CLOUDTRAIL_COLUMNS: readonly TableColumn[] = [
  { name: "eventversion", type: "string" },
  {
    name: "useridentity",
    type: struct({
      type: "string",
      principalid: "string",
      arn: "string",
      accountid: "string",
      invokedby: "string",
      accesskeyid: "string",
      username: "string",
      onbehalfof: struct({ userid: "string", identitystorearn: "string" }),
      sessioncontext: struct({
        attributes: struct({ mfaauthenticated: "string", creationdate: "string" }),
        sessionissuer: struct({
          type: "string",
          principalid: "string",
          arn: "string",
          accountid: "string",
          username: "string",
        }),
        ec2roledelivery: "string",
        webidfederationdata: struct({
          federatedprovider: "string",
          attributes: "map<string,string>",
        }),
      }),
    }),
  },
  { name: "eventtime", type: "string" },
  { name: "eventsource", type: "string" },
  { name: "eventname", type: "string" },
  { name: "awsregion", type: "string" },
  { name: "sourceipaddress", type: "string" },
  { name: "useragent", type: "string" },
  { name: "errorcode", type: "string" },
  { name: "errormessage", type: "string" },
  { name: "requestparameters", type: "string" },
  { name: "responseelements", type: "string" },
  { name: "additionaleventdata", type: "string" },
  { name: "requestid", type: "string" },
  { name: "eventid", type: "string" },
  {
    name: "resources",
    type: `array<${struct({ arn: "string", accountid: "string", type: "string" })}>`,
  },
  { name: "eventtype", type: "string" },
  { name: "apiversion", type: "string" },
  { name: "readonly", type: "string" },
  { name: "recipientaccountid", type: "string" },
  { name: "serviceeventdetails", type: "string" },
  { name: "sharedeventid", type: "string" },
  { name: "vpcendpointid", type: "string" },
  { name: "vpcendpointaccountid", type: "string" },
  { name: "eventcategory", type: "string" },
  {
    name: "addendum",
    type: struct({
      reason: "string",
      updatedfields: "string",
      originalrequestid: "string",
      originaleventid: "string",
    }),
  },
  { name: "sessioncredentialfromconsole", type: "string" },
  { name: "edgedevicedetails", type: "string" },
  {
    name: "tlsdetails",
    type: struct({
      tlsversion: "string",
      ciphersuite: "string",
      clientprovidedhostheader: "string",
    }),
  },
];

/** Columns holding a JSON document as text; conditions on their fields use JSON functions. */
export const JSON_TEXT_COLUMNS: readonly string[] = [
  "requestparameters",
  "responseelements",
  "additionaleventdata",
  "serviceeventdetails",
];

/** Partition keys: the region prefix, then the day (`yyyy/MM/dd`, as in the S3 key). */
export const CLOUDTRAIL_PARTITION_KEYS: readonly TableColumn[] = [
  { name: "region", type: "string" },
  { name: "timestamp", type: "string" },
];

/**
 * Where a trail's log files live (CloudTrail user guide, "Finding your CloudTrail log files"):
 * - one account: `s3://<bucket>/[<prefix>/]AWSLogs/<account>/CloudTrail/` (then `<region>/yyyy/MM/dd/`);
 * - an organization trail: `s3://<bucket>/[<prefix>/]AWSLogs/<org-id>/` (then
 *   `<account>/CloudTrail/<region>/yyyy/MM/dd/`).
 */
export interface LogLayout {
  readonly bucket: string;
  /** The trail's S3 key prefix, "" for none. */
  readonly prefix?: string;
  /** The account whose log files are read (the management account for an organization trail's own). */
  readonly account: string;
  /** Set for an organization trail: the table spans every account, projected as `account`. */
  readonly organizationId?: string;
}

function logsRoot(l: LogLayout): string {
  return `s3://${l.bucket}/${l.prefix ? `${l.prefix}/` : ""}AWSLogs/`;
}

/** The table's location: one account's CloudTrail/ prefix, or the organization's prefix. */
export function cloudTrailLocation(l: LogLayout): string {
  return l.organizationId
    ? `${logsRoot(l)}${l.organizationId}/`
    : `${logsRoot(l)}${l.account}/CloudTrail/`;
}

/**
 * Partition keys: with an organization trail the account first (projected `injected`), then the
 * region prefix and the day (`yyyy/MM/dd`, as in the S3 key).
 */
export function partitionKeysFor(l: Pick<LogLayout, "organizationId">): readonly TableColumn[] {
  return l.organizationId
    ? [{ name: "account", type: "string" }, ...CLOUDTRAIL_PARTITION_KEYS]
    : CLOUDTRAIL_PARTITION_KEYS;
}

export interface ProjectionProps extends LogLayout {
  /** Every region the multi-region trail may write to (its prefixes under CloudTrail/). */
  readonly regions: readonly string[];
  /** First day to project, `yyyy/MM/dd`. */
  readonly startDate: string;
}

/**
 * Table parameters turning on partition projection. The template holds literal `${region}` and
 * `${timestamp}` placeholders for Athena; every trailwatch stack escapes them for Terraform
 * (`src/terraform/literals.ts`), which would otherwise read them as its own interpolations.
 */
export function projectionParameters(p: ProjectionProps): Record<string, string> {
  // `account` is `injected`, not `enum`: an enum must list every account and changes whenever an
  // account joins (the table, and the plan, would grow with the organization, and a new account's
  // logs would be invisible until someone re-applied). Injected values come from the query's
  // WHERE clause (`account = '111122223333'`), and a query without one fails at once instead of
  // scanning every account (Athena user guide, "Injected type").
  const account: Record<string, string> = p.organizationId
    ? { "projection.account.type": "injected" }
    : {};
  const template = p.organizationId
    ? `${cloudTrailLocation(p)}\${account}/CloudTrail/\${region}/\${timestamp}`
    : `${cloudTrailLocation(p)}\${region}/\${timestamp}`;
  return {
    EXTERNAL: "TRUE",
    classification: "cloudtrail",
    "projection.enabled": "true",
    ...account,
    "projection.region.type": "enum",
    "projection.region.values": p.regions.join(","),
    "projection.timestamp.type": "date",
    "projection.timestamp.format": "yyyy/MM/dd",
    "projection.timestamp.range": `${p.startDate},NOW`,
    "projection.timestamp.interval": "1",
    "projection.timestamp.interval.unit": "DAYS",
    "storage.location.template": template,
  };
}

// ---------------------------------------------------------------------------------------------
// Hive types, parsed: the SQL renderer checks struct paths against them, tests build an
// identical table in another engine from them.

export type HiveType =
  | { readonly kind: "string" }
  | { readonly kind: "struct"; readonly fields: ReadonlyMap<string, HiveType> }
  | { readonly kind: "array"; readonly element: HiveType }
  | { readonly kind: "map"; readonly key: HiveType; readonly value: HiveType };

export function parseHiveType(text: string): HiveType {
  let pos = 0;
  const fail = (expected: string): never => {
    throw new Error(`bad Hive type ${JSON.stringify(text)} at ${pos}: expected ${expected}`);
  };
  const eat = (s: string): boolean => {
    if (!text.startsWith(s, pos)) return false;
    pos += s.length;
    return true;
  };
  const name = (): string => {
    const m = /^[a-z_][a-z0-9_]*/.exec(text.slice(pos));
    if (!m) return fail("a field name");
    pos += m[0].length;
    return m[0];
  };
  const type = (): HiveType => {
    if (eat("string")) return { kind: "string" };
    if (eat("array<")) {
      const element = type();
      if (!eat(">")) fail('">"');
      return { kind: "array", element };
    }
    if (eat("map<")) {
      const key = type();
      if (!eat(",")) fail('","');
      const value = type();
      if (!eat(">")) fail('">"');
      return { kind: "map", key, value };
    }
    if (eat("struct<")) {
      const fields = new Map<string, HiveType>();
      do {
        const n = name();
        if (!eat(":")) fail('":"');
        fields.set(n, type());
      } while (eat(","));
      if (!eat(">")) fail('">"');
      return { kind: "struct", fields };
    }
    return fail("string, array<, map< or struct<");
  };
  const t = type();
  if (pos !== text.length) fail("end of type");
  return t;
}
