/**
 * The EC2 and RDS calls of `revoke-public-ingress`, `unshare-ami`, `unshare-ebs-snapshot` and
 * `unshare-rds-snapshot`. Each reads first (what is still there), then removes exactly what the
 * alert described. Error codes: EC2 API reference "Error codes" (`InvalidGroup.NotFound`,
 * `InvalidSecurityGroupRuleId.NotFound`, `InvalidAMIID.NotFound`, `InvalidAMIID.Unavailable`,
 * `InvalidSnapshot.NotFound`); RDS API reference (`DBSnapshotNotFound`,
 * `DBClusterSnapshotNotFoundFault`).
 */
import {
  DescribeImageAttributeCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import { portsOf, type IngressRule, type IngressTarget } from "../actions/revoke-public-ingress";
import {
  granteesText,
  type DbSnapshotShare,
  type Grantees,
  type ImageShare,
  type SnapshotShare,
} from "../actions/sharing";
import { errorCode, OutcomeBuilder, type EffectContext, type Outcome } from "./outcome";

function isGone(e: unknown, ...codes: string[]): boolean {
  const code = errorCode(e);
  return code !== undefined && codes.includes(code);
}

function matches(found: SecurityGroupRule, r: IngressRule, groupId: string): boolean {
  return (
    found.GroupId === groupId &&
    found.IsEgress === false &&
    found.IpProtocol === r.protocol &&
    found.FromPort === r.fromPort &&
    found.ToPort === r.toPort &&
    (found.CidrIpv4 ?? found.CidrIpv6) === r.cidr
  );
}

function ruleText(r: SecurityGroupRule): string {
  const source =
    r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? "?";
  const ports = portsOf({
    protocol: r.IpProtocol ?? "?",
    fromPort: r.FromPort ?? -1,
    toPort: r.ToPort ?? -1,
  });
  return `${r.IsEgress ? "egress" : "ingress"} ${ports} from ${source}`;
}

function authorizeCommand(t: IngressTarget, r: IngressRule): string {
  const range = r.cidr.includes(":")
    ? `Ipv6Ranges=[{CidrIpv6=${r.cidr}}]`
    : `IpRanges=[{CidrIp=${r.cidr}}]`;
  return `aws ec2 authorize-security-group-ingress --region ${t.region} --group-id ${t.groupId} --ip-permissions 'IpProtocol=${r.protocol},FromPort=${r.fromPort},ToPort=${r.toPort},${range}'`;
}

export async function revokePublicIngressEffect(
  t: IngressTarget,
  ctx: EffectContext,
): Promise<Outcome> {
  const ec2 = ctx.clients.ec2(t.region);
  const out = new OutcomeBuilder();
  // By group, not by rule id: a missing id fails the whole describe call.
  const current: SecurityGroupRule[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: "group-id", Values: [t.groupId] }],
          NextToken: token,
        }),
      );
      current.push(...(page.SecurityGroupRules ?? []));
      token = page.NextToken;
    } while (token);
  } catch (e) {
    if (!isGone(e, "InvalidGroup.NotFound")) throw e;
  }
  const toRevoke: IngressRule[] = [];
  for (const r of t.rules) {
    const found = current.find((c) => c.SecurityGroupRuleId === r.id);
    if (!found) out.note(`Rule ${r.id} no longer exists (revoked already, or the group is gone).`);
    else if (!matches(found, r, t.groupId))
      out.note(
        `Rule ${r.id} was changed since the alert and is now ${ruleText(found)}: left as it is.`,
      );
    else toRevoke.push(r);
  }
  if (toRevoke.length === 0) return out.build(true);
  try {
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: t.groupId,
        SecurityGroupRuleIds: toRevoke.map((r) => r.id),
      }),
    );
  } catch (e) {
    if (!isGone(e, "InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound")) throw e;
    out.note("The rules were removed by someone else meanwhile.");
    return out.build(true);
  }
  for (const r of toRevoke)
    out.changed(
      `Revoked ingress rule ${r.id} of security group ${t.groupId} (${portsOf(r)} from ${r.cidr}).`,
      authorizeCommand(t, r),
    );
  return out.build();
}

/** The grantees of `wanted` that `present` still holds. */
function stillGranted(
  wanted: Grantees,
  present: { account?: string; group?: string; org?: string; ou?: string }[],
): Grantees {
  return {
    accounts: wanted.accounts.filter((a) => present.some((p) => p.account === a)),
    everyone: wanted.everyone && present.some((p) => p.group === "all"),
    organizations: wanted.organizations.filter((o) => present.some((p) => p.org === o)),
    organizationalUnits: wanted.organizationalUnits.filter((o) => present.some((p) => p.ou === o)),
  };
}

const isEmpty = (g: Grantees) =>
  !g.everyone && g.accounts.length + g.organizations.length + g.organizationalUnits.length === 0;

export async function unshareAmiEffect(t: ImageShare, ctx: EffectContext): Promise<Outcome> {
  const ec2 = ctx.clients.ec2(t.region);
  const out = new OutcomeBuilder();
  const gone = () => {
    out.note(`AMI ${t.imageId} no longer exists (deregistered).`);
    return out.build(true);
  };
  let present;
  try {
    present = (
      await ec2.send(
        new DescribeImageAttributeCommand({ ImageId: t.imageId, Attribute: "launchPermission" }),
      )
    ).LaunchPermissions;
  } catch (e) {
    if (isGone(e, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")) return gone();
    throw e;
  }
  const remove = stillGranted(
    t.grantees,
    (present ?? []).map((p) => ({
      account: p.UserId,
      group: p.Group,
      org: p.OrganizationArn,
      ou: p.OrganizationalUnitArn,
    })),
  );
  if (isEmpty(remove)) {
    out.note(`AMI ${t.imageId} is no longer shared with ${granteesText(t.grantees)}.`);
    return out.build(true);
  }
  const items = [
    ...remove.accounts.map((UserId) => ({ UserId })),
    ...(remove.everyone ? [{ Group: "all" as const }] : []),
    ...remove.organizations.map((OrganizationArn) => ({ OrganizationArn })),
    ...remove.organizationalUnits.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
  try {
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId: t.imageId, LaunchPermission: { Remove: items } }),
    );
  } catch (e) {
    if (isGone(e, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")) return gone();
    throw e;
  }
  const add = items.map((i) => Object.entries(i).map(([k, v]) => `{${k}=${v}}`)[0]).join(",");
  out.changed(
    `Removed the launch permissions of AMI ${t.imageId} for ${granteesText(remove)}.`,
    `aws ec2 modify-image-attribute --region ${t.region} --image-id ${t.imageId} --launch-permission 'Add=[${add}]'`,
  );
  return out.build();
}

export async function unshareEbsSnapshotEffect(
  t: SnapshotShare,
  ctx: EffectContext,
): Promise<Outcome> {
  const ec2 = ctx.clients.ec2(t.region);
  const out = new OutcomeBuilder();
  const gone = () => {
    out.note(`Snapshot ${t.snapshotId} no longer exists.`);
    return out.build(true);
  };
  let present;
  try {
    present = (
      await ec2.send(
        new DescribeSnapshotAttributeCommand({
          SnapshotId: t.snapshotId,
          Attribute: "createVolumePermission",
        }),
      )
    ).CreateVolumePermissions;
  } catch (e) {
    if (isGone(e, "InvalidSnapshot.NotFound")) return gone();
    throw e;
  }
  const remove = stillGranted(
    t.grantees,
    (present ?? []).map((p) => ({ account: p.UserId, group: p.Group })),
  );
  if (isEmpty(remove)) {
    out.note(`Snapshot ${t.snapshotId} is no longer shared with ${granteesText(t.grantees)}.`);
    return out.build(true);
  }
  try {
    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: t.snapshotId,
        Attribute: "createVolumePermission",
        OperationType: "remove",
        UserIds: remove.accounts.length > 0 ? [...remove.accounts] : undefined,
        GroupNames: remove.everyone ? ["all"] : undefined,
      }),
    );
  } catch (e) {
    if (isGone(e, "InvalidSnapshot.NotFound")) return gone();
    throw e;
  }
  const args = [
    ...(remove.accounts.length > 0 ? [`--user-ids ${remove.accounts.join(" ")}`] : []),
    ...(remove.everyone ? ["--group-names all"] : []),
  ].join(" ");
  out.changed(
    `Removed the create-volume permissions of snapshot ${t.snapshotId} for ${granteesText(remove)}.`,
    `aws ec2 modify-snapshot-attribute --region ${t.region} --snapshot-id ${t.snapshotId} --attribute createVolumePermission --operation-type add ${args}`,
  );
  return out.build();
}

export async function unshareRdsSnapshotEffect(
  t: DbSnapshotShare,
  ctx: EffectContext,
): Promise<Outcome> {
  const rds = ctx.clients.rds(t.region);
  const out = new OutcomeBuilder();
  const kind = t.cluster ? "DB cluster snapshot" : "DB snapshot";
  const notFound = t.cluster ? ["DBClusterSnapshotNotFoundFault"] : ["DBSnapshotNotFoundFault"];
  const gone = () => {
    out.note(`${kind} "${t.snapshot}" no longer exists.`);
    return out.build(true);
  };
  let values: string[];
  try {
    const attributes = t.cluster
      ? (
          await rds.send(
            new DescribeDBClusterSnapshotAttributesCommand({
              DBClusterSnapshotIdentifier: t.snapshot,
            }),
          )
        ).DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes
      : (
          await rds.send(
            new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: t.snapshot }),
          )
        ).DBSnapshotAttributesResult?.DBSnapshotAttributes;
    values = attributes?.find((a) => a.AttributeName === "restore")?.AttributeValues ?? [];
  } catch (e) {
    if (isGone(e, ...notFound)) return gone();
    throw e;
  }
  const remove = stillGranted(
    t.grantees,
    values.map((v) => (v === "all" ? { group: "all" } : { account: v })),
  );
  if (isEmpty(remove)) {
    out.note(`${kind} "${t.snapshot}" is no longer shared with ${granteesText(t.grantees)}.`);
    return out.build(true);
  }
  const valuesToRemove = [...remove.accounts, ...(remove.everyone ? ["all"] : [])];
  try {
    if (t.cluster)
      await rds.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: t.snapshot,
          AttributeName: "restore",
          ValuesToRemove: valuesToRemove,
        }),
      );
    else
      await rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: t.snapshot,
          AttributeName: "restore",
          ValuesToRemove: valuesToRemove,
        }),
      );
  } catch (e) {
    if (isGone(e, ...notFound)) return gone();
    throw e;
  }
  const cli = t.cluster
    ? `aws rds modify-db-cluster-snapshot-attribute --region ${t.region} --db-cluster-snapshot-identifier ${t.snapshot}`
    : `aws rds modify-db-snapshot-attribute --region ${t.region} --db-snapshot-identifier ${t.snapshot}`;
  out.changed(
    `Removed ${granteesText(remove)} from the restore permissions of ${kind} "${t.snapshot}".`,
    `${cli} --attribute-name restore --values-to-add ${valuesToRemove.join(" ")}`,
  );
  return out.build();
}
