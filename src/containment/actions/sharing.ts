import {
  ACCOUNT_ID,
  onlyParams,
  REGION,
  requireParam,
  splitList,
  type ContainmentAction,
  type Eligibility,
} from "../action";
import { at, isCall, itemsAt, stringAt, succeeded, type CloudTrailRecord } from "../record";

/**
 * Who a share added: account ids, everyone (`group: all`, i.e. public), and for AMIs also
 * organizations and organizational units (EC2 API `LaunchPermission`).
 */
export interface Grantees {
  readonly accounts: readonly string[];
  readonly everyone: boolean;
  readonly organizations: readonly string[];
  readonly organizationalUnits: readonly string[];
}

const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ARN =
  /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;

/** The grantees of EC2's `<attribute>.add.items` (launchPermission, createVolumePermission). */
function ec2Grantees(record: CloudTrailRecord, attribute: string): Grantees | undefined {
  const items = itemsAt(record, `requestParameters.${attribute}.add`);
  const accounts = items.map((i) => i.userId).filter((v): v is string => typeof v === "string");
  const organizations = items
    .map((i) => i.organizationArn)
    .filter((v): v is string => typeof v === "string");
  const organizationalUnits = items
    .map((i) => i.organizationalUnitArn)
    .filter((v): v is string => typeof v === "string");
  const everyone = items.some((i) => i.group === "all");
  if (accounts.length + organizations.length + organizationalUnits.length === 0 && !everyone)
    return undefined;
  return { accounts, everyone, organizations, organizationalUnits };
}

function granteesProblem(g: Grantees): string | undefined {
  const bad = [
    ...g.accounts.filter((a) => !ACCOUNT_ID.test(a)),
    ...g.organizations.filter((o) => !ORGANIZATION_ARN.test(o)),
    ...g.organizationalUnits.filter((o) => !OU_ARN.test(o)),
  ];
  return bad.length > 0 ? `not an account, organization or OU: ${bad.join(", ")}` : undefined;
}

export function granteesText(g: Grantees): string {
  const parts = [
    ...(g.everyone ? ["everyone (public)"] : []),
    ...g.accounts.map((a) => `account ${a}`),
    ...g.organizations.map((o) => `organization ${o}`),
    ...g.organizationalUnits.map((o) => `OU ${o}`),
  ];
  return parts.join(", ");
}

function encodeGrantees(g: Grantees): Record<string, string> {
  return {
    accounts: g.accounts.join(","),
    public: String(g.everyone),
    ...(g.organizations.length > 0 ? { orgs: g.organizations.join(",") } : {}),
    ...(g.organizationalUnits.length > 0 ? { ous: g.organizationalUnits.join(",") } : {}),
  };
}

function decodeGrantees(params: Readonly<Record<string, string>>, withOrgs: boolean): Grantees {
  const g: Grantees = {
    accounts: splitList(params.accounts),
    everyone: requireParam(params, "public", /^(true|false)$/, "public flag") === "true",
    organizations: withOrgs ? splitList(params.orgs) : [],
    organizationalUnits: withOrgs ? splitList(params.ous) : [],
  };
  const problem = granteesProblem(g);
  if (problem) throw new Error(`the link's grantees are not valid: ${problem}`);
  if (
    !g.everyone &&
    g.accounts.length + g.organizations.length + g.organizationalUnits.length === 0
  )
    throw new Error("the link names nobody to remove");
  return g;
}

function eligibility<T>(
  record: CloudTrailRecord,
  id: string | undefined,
  idPattern: RegExp,
  g: Grantees | undefined,
  make: (region: string, id: string, g: Grantees) => T,
): Eligibility<T> {
  if (!g) return undefined;
  const region = stringAt(record, "awsRegion");
  if (!id || !idPattern.test(id))
    return { kind: "ineligible", reason: "the record names no shared resource" };
  if (!region || !REGION.test(region))
    return { kind: "ineligible", reason: "the record has no region" };
  const problem = granteesProblem(g);
  if (problem) return { kind: "ineligible", reason: problem };
  return { kind: "target", target: make(region, id, g) };
}

export interface ImageShare {
  readonly region: string;
  readonly imageId: string;
  readonly grantees: Grantees;
}

const IMAGE_ID = /^ami-[0-9a-fA-F]{8,17}$/;

/**
 * Removes exactly the launch permissions the call added (EC2 `ModifyImageAttribute`
 * `LaunchPermission.Remove`), after reading which of them are still there
 * (`DescribeImageAttribute`). Exfiltration by sharing an AMI: ATT&CK T1537, Stratus Red Team
 * ec2-share-ami.
 */
export const unshareAmi: ContainmentAction<ImageShare> = {
  id: "unshare-ami",
  title: "Stop sharing the AMI",
  verb: "Remove launch permissions",
  eventSource: "ec2.amazonaws.com",
  eventNames: ["ModifyImageAttribute"],
  targetOf(record) {
    if (!isCall(record, "ec2.amazonaws.com", ["ModifyImageAttribute"]) || !succeeded(record))
      return undefined;
    const type = stringAt(record, "requestParameters.attributeType");
    if (type !== undefined && type !== "launchPermission") return undefined;
    return eligibility(
      record,
      stringAt(record, "requestParameters.imageId"),
      IMAGE_ID,
      ec2Grantees(record, "launchPermission"),
      (region, imageId, grantees) => ({ region, imageId, grantees }),
    );
  },
  encode: (t) => ({ region: t.region, image: t.imageId, ...encodeGrantees(t.grantees) }),
  decode(params) {
    onlyParams(params, ["region", "image", "accounts", "public", "orgs", "ous"]);
    return {
      region: requireParam(params, "region", REGION, "region"),
      imageId: requireParam(params, "image", IMAGE_ID, "AMI id"),
      grantees: decodeGrantees(params, true),
    };
  },
  describe: (t) => `AMI ${t.imageId} (${t.region}) shared with ${granteesText(t.grantees)}`,
  plan: (t) => [
    `Remove the launch permissions of AMI ${t.imageId} for ${granteesText(t.grantees)}.`,
    `Other launch permissions of the AMI are not touched. Copies already made by the other accounts are theirs and are not affected.`,
  ],
  names: () => [],
};

export interface SnapshotShare {
  readonly region: string;
  readonly snapshotId: string;
  readonly grantees: Grantees;
}

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;

/**
 * Removes exactly the create-volume permissions the call added (EC2 `ModifySnapshotAttribute`
 * `CreateVolumePermission.Remove`), after reading which are still there
 * (`DescribeSnapshotAttribute`). ATT&CK T1537, Stratus Red Team ec2-share-ebs-snapshot.
 */
export const unshareEbsSnapshot: ContainmentAction<SnapshotShare> = {
  id: "unshare-ebs-snapshot",
  title: "Stop sharing the EBS snapshot",
  verb: "Remove create-volume permissions",
  eventSource: "ec2.amazonaws.com",
  eventNames: ["ModifySnapshotAttribute"],
  targetOf(record) {
    if (!isCall(record, "ec2.amazonaws.com", ["ModifySnapshotAttribute"]) || !succeeded(record))
      return undefined;
    const type = stringAt(record, "requestParameters.attributeType");
    if (
      type !== undefined &&
      type !== "CREATE_VOLUME_PERMISSION" &&
      type !== "createVolumePermission"
    )
      return undefined;
    const g = ec2Grantees(record, "createVolumePermission");
    return eligibility(
      record,
      stringAt(record, "requestParameters.snapshotId"),
      SNAPSHOT_ID,
      g && g.organizations.length + g.organizationalUnits.length === 0 ? g : undefined,
      (region, snapshotId, grantees) => ({ region, snapshotId, grantees }),
    );
  },
  encode: (t) => ({ region: t.region, snapshot: t.snapshotId, ...encodeGrantees(t.grantees) }),
  decode(params) {
    onlyParams(params, ["region", "snapshot", "accounts", "public"]);
    return {
      region: requireParam(params, "region", REGION, "region"),
      snapshotId: requireParam(params, "snapshot", SNAPSHOT_ID, "snapshot id"),
      grantees: decodeGrantees(params, false),
    };
  },
  describe: (t) =>
    `EBS snapshot ${t.snapshotId} (${t.region}) shared with ${granteesText(t.grantees)}`,
  plan: (t) => [
    `Remove the create-volume permissions of snapshot ${t.snapshotId} for ${granteesText(t.grantees)}.`,
    `Other permissions of the snapshot are not touched. Volumes or copies the other accounts already made are not affected.`,
  ],
  names: () => [],
};

export interface DbSnapshotShare {
  readonly region: string;
  /** DB snapshot or, when `cluster`, DB cluster snapshot identifier. */
  readonly snapshot: string;
  readonly cluster: boolean;
  /** Account ids, or `all` for public. */
  readonly grantees: Grantees;
}

/** RDS identifiers: a letter, then letters, digits and hyphens, 1-255 characters. */
const DB_SNAPSHOT_ID = /^[A-Za-z][A-Za-z0-9-]{0,254}$/;

/**
 * Removes exactly the accounts the call added to the snapshot's `restore` attribute (RDS
 * `ModifyDBSnapshotAttribute` / `ModifyDBClusterSnapshotAttribute` `ValuesToRemove`), after reading
 * which are still there. ATT&CK T1537, Stratus Red Team rds-share-snapshot.
 */
export const unshareRdsSnapshot: ContainmentAction<DbSnapshotShare> = {
  id: "unshare-rds-snapshot",
  title: "Stop sharing the RDS snapshot",
  verb: "Remove restore permissions",
  eventSource: "rds.amazonaws.com",
  eventNames: ["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"],
  targetOf(record) {
    if (
      !isCall(record, "rds.amazonaws.com", [
        "ModifyDBSnapshotAttribute",
        "ModifyDBClusterSnapshotAttribute",
      ]) ||
      !succeeded(record) ||
      stringAt(record, "requestParameters.attributeName") !== "restore"
    )
      return undefined;
    const cluster = record.eventName === "ModifyDBClusterSnapshotAttribute";
    const added = at(record, "requestParameters.valuesToAdd");
    const values = Array.isArray(added)
      ? added.filter((v): v is string => typeof v === "string")
      : [];
    const g: Grantees | undefined =
      values.length === 0
        ? undefined
        : {
            accounts: values.filter((v) => v !== "all"),
            everyone: values.includes("all"),
            organizations: [],
            organizationalUnits: [],
          };
    return eligibility(
      record,
      stringAt(
        record,
        cluster
          ? "requestParameters.dBClusterSnapshotIdentifier"
          : "requestParameters.dBSnapshotIdentifier",
      ),
      DB_SNAPSHOT_ID,
      g,
      (region, snapshot, grantees) => ({ region, snapshot, cluster, grantees }),
    );
  },
  encode: (t) => ({
    region: t.region,
    snapshot: t.snapshot,
    cluster: String(t.cluster),
    ...encodeGrantees(t.grantees),
  }),
  decode(params) {
    onlyParams(params, ["region", "snapshot", "cluster", "accounts", "public"]);
    return {
      region: requireParam(params, "region", REGION, "region"),
      snapshot: requireParam(params, "snapshot", DB_SNAPSHOT_ID, "snapshot identifier"),
      cluster: requireParam(params, "cluster", /^(true|false)$/, "cluster flag") === "true",
      grantees: decodeGrantees(params, false),
    };
  },
  describe: (t) =>
    `RDS ${t.cluster ? "DB cluster snapshot" : "DB snapshot"} "${t.snapshot}" (${t.region}) shared with ${granteesText(t.grantees)}`,
  plan: (t) => [
    `Remove ${granteesText(t.grantees)} from the restore permissions of ${t.cluster ? "DB cluster snapshot" : "DB snapshot"} "${t.snapshot}".`,
    `Other accounts the snapshot is shared with are not touched. Copies the other accounts already made are not affected.`,
  ],
  names: () => [],
};
