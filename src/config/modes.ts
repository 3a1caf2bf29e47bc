/**
 * Configuration of where the trail comes from (`trail.mode`), the AWS Organizations settings of
 * an organization trail, and the resources to adopt with Terraform `import` blocks. Field shapes and AWS naming rules here; the cross-field rules in {@link modeProblems},
 * which schema.ts reports with every other problem.
 */
import { z } from "zod";
import { bucketNameProblem, READ_WRITE_TYPES } from "./fields";

export const TRAIL_MODES = ["create", "existing", "organization"] as const;
export type TrailMode = (typeof TRAIL_MODES)[number];

/** AWS Organizations ids (Organizations API reference, `Organization.Id`, `Root.Id`, `OrganizationalUnit.Id`). */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/**
 * CloudWatch Logs log group names: 1-512 characters of `a-zA-Z0-9_-/.#` (CreateLogGroup,
 * `logGroupName` pattern `[\.\-_/#A-Za-z0-9]+`).
 */
export function logGroupNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 512) return "must be 1 to 512 characters long";
  if (!/^[.\-_/#A-Za-z0-9]+$/.test(name))
    return "may contain only letters, digits, and the characters _ - / . #";
  return undefined;
}

export const logGroupNameSchema = z.string().superRefine((name, ctx) => {
  const problem = logGroupNameProblem(name);
  if (problem)
    ctx.addIssue({ code: "custom", message: `not a CloudWatch Logs log group name: ${problem}` });
});

/** `arn:aws:cloudtrail:<region>:<account>:trail/<name>` (CloudTrail trail naming rules). */
export const TRAIL_ARN =
  /^arn:aws:cloudtrail:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):trail\/([A-Za-z0-9][A-Za-z0-9._-]{2,127})$/;

export function parseTrailArn(
  arn: string,
): { region: string; account: string; name: string } | undefined {
  const m = TRAIL_ARN.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

const trailArn = z.string().regex(TRAIL_ARN, {
  message:
    "must be a CloudTrail trail ARN arn:aws:cloudtrail:<region>:<12-digit account>:trail/<name>",
});

/** `arn:aws:kms:<region>:<account>:key/<key id>`: a key ARN (not an alias: CloudTrail and imports need the key). */
export const KMS_KEY_ARN =
  /^arn:aws:kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key\/((?:mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export function parseKmsKeyArn(
  arn: string,
): { region: string; account: string; keyId: string } | undefined {
  const m = KMS_KEY_ARN.exec(arn);
  return m ? { region: m[1], account: m[2], keyId: m[3] } : undefined;
}

const kmsKeyArn = z.string().regex(KMS_KEY_ARN, {
  message:
    "must be a KMS key ARN arn:aws:kms:<region>:<12-digit account>:key/<key id> (an alias ARN is not accepted)",
});

const existingBucket = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a valid S3 bucket name: ${problem}` });
});

/** CloudTrail's `S3KeyPrefix`: at most 200 characters; written here without leading or trailing slash. */
const s3KeyPrefix = z
  .string()
  .max(200, { message: "CloudTrail key prefixes are at most 200 characters" })
  .regex(/^[^/](.*[^/])?$/, { message: "must not begin or end with a slash" });

/** A trail that something else manages (Control Tower, a landing zone, another stack). */
export const existingTrailSchema = z.strictObject({
  /** The trail; its home region must be `homeRegion` and its account `accountId`. */
  trailArn,
  /** Its CloudWatch Logs log group in the home region, e.g. `aws-controltower/CloudTrailLogs`. */
  logGroupName: logGroupNameSchema,
  /** The S3 bucket it delivers to (may belong to another account, e.g. a log archive account). */
  bucket: existingBucket,
  /** Its S3 key prefix, if any (Control Tower uses the organization id). */
  prefix: s3KeyPrefix.optional(),
  /** The KMS key its log files are encrypted with, if any (readers need kms:Decrypt on it). */
  kmsKeyArn: kmsKeyArn.optional(),
  /** Set when it is an organization trail: its log files are under `AWSLogs/<org-id>/<account>/`. */
  organizationId: z
    .string()
    .regex(ORGANIZATION_ID, {
      message: "must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits",
    })
    .optional(),
  /** The management events it logs (`aws cloudtrail get-event-selectors`). @default "All" */
  managementEvents: z.enum(READ_WRITE_TYPES).default("All"),
  /** Management event sources it excludes (`ExcludeManagementEventSources`). @default [] */
  excludeManagementEventSources: z
    .array(z.enum(["kms.amazonaws.com", "rdsdata.amazonaws.com"]))
    .default([]),
  /** Whether it logs global service events (IAM, STS, sign-in) in its home region. @default true */
  includesGlobalServiceEvents: z.boolean().default(true),
});
export type ExistingTrail = z.output<typeof existingTrailSchema>;

/**
 * Organization trail settings (trail.mode "organization"), and where the member accounts' EventBridge
 * forwarding rules are deployed with a service-managed CloudFormation StackSet.
 */
export const organizationSchema = z.strictObject({
  id: z.string().regex(ORGANIZATION_ID, {
    message: "must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits",
  }),
  /**
   * The management account, which owns an organization trail. @default accountId. When it differs
   * from accountId, trailwatch runs in a delegated administrator account (StackSets `call_as =
   * DELEGATED_ADMIN`).
   */
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/, { message: "must be a 12-digit AWS account id" })
    .optional(),
  memberAccounts: z
    .strictObject({
      /** Deploy the member accounts' forwarding rules (StackSet). @default true */
      enabled: z.boolean().default(true),
      /** The organization root id (`r-...`) or organizational unit ids (`ou-...`) to deploy to. */
      deployTo: z
        .array(
          z.string().refine((v) => ROOT_ID.test(v) || OU_ID.test(v), {
            message:
              "must be an organization root id (r- followed by 4-32 lowercase letters or digits) or an organizational unit id (ou-<root part>-<8-32 lowercase letters or digits>)",
          }),
        )
        .min(1, { message: "name the organization root (r-...) or at least one OU (ou-...)" }),
    })
    .optional(),
});
export type OrganizationConfig = z.output<typeof organizationSchema>;

/** Existing resources trailwatch takes over with Terraform `import` blocks (trail.mode create/organization). */
export const adoptSchema = z.strictObject({
  trailArn: trailArn.optional(),
  bucket: existingBucket.optional(),
  logGroupName: logGroupNameSchema.optional(),
  kmsKeyArn: kmsKeyArn.optional(),
});
export type AdoptConfig = z.output<typeof adoptSchema>;

/** The fields of the configuration {@link modeProblems} reads. */
export interface ModeInputs {
  readonly name: string;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly trail: {
    readonly mode: TrailMode;
    readonly existing?: ExistingTrail;
    readonly name?: string;
    readonly profile: string;
    readonly managementEvents?: string;
    readonly excludeManagementEventSources?: readonly string[];
    readonly s3DataEvents: readonly unknown[];
    readonly s3DataEventsAllBuckets?: unknown;
    readonly insights: { readonly apiCallRate: boolean; readonly apiErrorRate: boolean };
  };
  readonly logGroup: { readonly name?: string };
  readonly archive: {
    readonly bucketName?: string;
    readonly objectLock?: unknown;
  };
  readonly organization?: OrganizationConfig;
  readonly adopt?: AdoptConfig;
}

export interface ModeProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Cross-field rules of the trail mode, the organization and adopted resources; every problem at once. */
export function modeProblems(c: ModeInputs): ModeProblem[] {
  const problems: ModeProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const mode = c.trail.mode;
  const modes = `trail.mode "${mode}"`;

  if (mode === "existing") {
    if (!c.trail.existing)
      add(
        ["trail", "existing"],
        'required with trail.mode "existing": { "trailArn", "logGroupName", "bucket" } of the trail to use',
      );
    // Settings of a trail trailwatch creates mean nothing for a trail it does not manage.
    const created: [string[], boolean][] = [
      [["trail", "name"], c.trail.name !== undefined],
      [["trail", "profile"], c.trail.profile !== "compliance"],
      [["trail", "managementEvents"], c.trail.managementEvents !== undefined],
      [
        ["trail", "excludeManagementEventSources"],
        c.trail.excludeManagementEventSources !== undefined,
      ],
      [["trail", "s3DataEvents"], c.trail.s3DataEvents.length > 0],
      [["trail", "s3DataEventsAllBuckets"], c.trail.s3DataEventsAllBuckets !== undefined],
      [["trail", "insights"], c.trail.insights.apiCallRate || c.trail.insights.apiErrorRate],
      [["logGroup", "name"], c.logGroup.name !== undefined],
      [["archive", "bucketName"], c.archive.bucketName !== undefined],
      [["archive", "objectLock"], c.archive.objectLock !== undefined],
    ];
    for (const [path, set] of created)
      if (set)
        add(
          path,
          `applies only to a trail trailwatch creates; with ${modes} describe the trail in trail.existing instead`,
        );
    if (c.adopt)
      add(
        ["adopt"],
        `cannot be used with ${modes}: trailwatch does not manage an existing trail's resources. Use trail.mode "create" (or "organization") with adopt to take them over`,
      );
    const e = c.trail.existing;
    if (e) {
      const t = parseTrailArn(e.trailArn);
      if (t && t.region !== c.homeRegion)
        add(
          ["trail", "existing", "trailArn"],
          `the trail's home region is ${t.region} but homeRegion is ${c.homeRegion}: its log group, and so the metric filters and alarms, are in the trail's home region; set homeRegion to ${t.region}`,
        );
      if (t && t.account !== c.accountId)
        add(
          ["trail", "existing", "trailArn"],
          `the trail belongs to account ${t.account}, not accountId ${c.accountId}: its log group is in the trail's account, where trailwatch must be deployed`,
        );
      const k = e.kmsKeyArn ? parseKmsKeyArn(e.kmsKeyArn) : undefined;
      if (k && t && k.region !== t.region)
        add(
          ["trail", "existing", "kmsKeyArn"],
          `a trail's KMS key is in the trail's home region (${t.region}), not ${k.region}`,
        );
    }
  } else if (c.trail.existing) {
    add(["trail", "existing"], `only used with trail.mode "existing" (the mode is "${mode}")`);
  }

  if (mode === "organization" && !c.organization)
    add(
      ["organization"],
      'required with trail.mode "organization": { "id": "o-...", "memberAccounts": { "deployTo": ["r-..."] } }',
    );
  if (mode !== "organization" && c.organization)
    add(
      ["organization"],
      `only used with trail.mode "organization" (the mode is "${mode}"); an existing organization trail is described by trail.existing.organizationId`,
    );
  const deployTo = c.organization?.memberAccounts?.deployTo ?? [];
  if (deployTo.some((t) => ROOT_ID.test(t)) && deployTo.length > 1)
    add(
      ["organization", "memberAccounts", "deployTo"],
      "the organization root already covers every OU: list the root alone, or only OUs",
    );

  if (c.adopt && mode !== "existing") {
    const a = c.adopt;
    if (!a.trailArn && !a.bucket && !a.logGroupName && !a.kmsKeyArn)
      add(["adopt"], "names nothing to adopt: give trailArn, bucket, logGroupName or kmsKeyArn");
    const t = a.trailArn ? parseTrailArn(a.trailArn) : undefined;
    const owner = mode === "organization" ? managementAccount(c) : c.accountId;
    if (t) {
      if (t.region !== c.homeRegion)
        add(
          ["adopt", "trailArn"],
          `the trail's home region is ${t.region}; trailwatch manages its trail from homeRegion ${c.homeRegion}. Set homeRegion to ${t.region}`,
        );
      if (t.account !== owner)
        add(["adopt", "trailArn"], `the trail must belong to account ${owner}, not ${t.account}`);
      if (c.trail.name !== undefined && c.trail.name !== t.name)
        add(
          ["adopt", "trailArn"],
          `names trail "${t.name}" but trail.name is "${c.trail.name}": a different name would replace the trail; remove trail.name or make them equal`,
        );
    }
    if (a.bucket && c.archive.bucketName !== undefined && c.archive.bucketName !== a.bucket)
      add(
        ["adopt", "bucket"],
        `names bucket "${a.bucket}" but archive.bucketName is "${c.archive.bucketName}": remove archive.bucketName or make them equal`,
      );
    if (a.bucket && c.archive.objectLock !== undefined)
      add(
        ["archive", "objectLock"],
        "cannot be turned on for an adopted bucket: object_lock_enabled forces a new bucket (enable Object Lock on the bucket in S3 first, then describe it here)",
      );
    if (a.logGroupName && c.logGroup.name !== undefined && c.logGroup.name !== a.logGroupName)
      add(
        ["adopt", "logGroupName"],
        `names log group "${a.logGroupName}" but logGroup.name is "${c.logGroup.name}": remove logGroup.name or make them equal`,
      );
    const k = a.kmsKeyArn ? parseKmsKeyArn(a.kmsKeyArn) : undefined;
    if (k && k.region !== c.homeRegion)
      add(
        ["adopt", "kmsKeyArn"],
        `the trail key must be in homeRegion ${c.homeRegion} (a trail cannot use a key from another region), not ${k.region}`,
      );
    if (k && k.account !== c.accountId)
      add(
        ["adopt", "kmsKeyArn"],
        `the key must belong to accountId ${c.accountId}, not ${k.account}`,
      );
  }
  return problems;
}

/** The account that owns an organization trail. */
export function managementAccount(c: {
  readonly accountId: string;
  readonly organization?: { readonly managementAccountId?: string };
}): string {
  return c.organization?.managementAccountId ?? c.accountId;
}
