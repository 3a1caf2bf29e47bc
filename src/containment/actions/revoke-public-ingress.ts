import { onlyParams, REGION, requireParam, splitList, type ContainmentAction } from "../action";
import { isCall, itemsAt, stringAt, succeeded } from "../record";

/** The address ranges that mean "the whole internet". */
export const WORLD_CIDRS: readonly string[] = ["0.0.0.0/0", "::/0"];

/** One ingress rule as AuthorizeSecurityGroupIngress returned it (`securityGroupRuleSet`). */
export interface IngressRule {
  /** `sgr-` followed by hex digits. */
  readonly id: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number. */
  readonly protocol: string;
  /** Port range (ICMP: type and code); -1 for all. */
  readonly fromPort: number;
  readonly toPort: number;
  /** `0.0.0.0/0` or `::/0`. */
  readonly cidr: string;
}

export interface IngressTarget {
  readonly region: string;
  readonly groupId: string;
  readonly rules: readonly IngressRule[];
}

const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const RULE_ID = /^sgr-[0-9a-f]{8,17}$/;
const PROTOCOL = /^(tcp|udp|icmp|icmpv6|-1|\d{1,3})$/;
const PORT = /^-?\d{1,5}$/;

function port(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= -1 && n <= 65535 ? n : undefined;
}

/** `tcp 22`, `tcp 8000-8080`, `all traffic`, `icmp`. */
export function portsOf(r: Pick<IngressRule, "protocol" | "fromPort" | "toPort">): string {
  if (r.protocol === "-1") return "all traffic";
  if (r.protocol === "icmp" || r.protocol === "icmpv6") return r.protocol;
  if (r.fromPort === -1 || (r.fromPort === 0 && r.toPort === 65535))
    return `${r.protocol} all ports`;
  return r.fromPort === r.toPort
    ? `${r.protocol} ${r.fromPort}`
    : `${r.protocol} ${r.fromPort}-${r.toPort}`;
}

/**
 * Revokes exactly the ingress rules the call opened to 0.0.0.0/0 or ::/0, by their security group
 * rule ids (EC2 API `RevokeSecurityGroupIngress` `SecurityGroupRuleId`), after checking that each
 * still is what the alert described: a rule since narrowed in place (`ModifySecurityGroupRules`)
 * is left alone. The ids come from the call's response (`responseElements.securityGroupRuleSet`),
 * which CloudTrail records since EC2 introduced rule ids (2021); older records get no link.
 */
export const revokePublicIngress: ContainmentAction<IngressTarget> = {
  id: "revoke-public-ingress",
  title: "Revoke the security group rule open to the internet",
  verb: "Revoke rule",
  eventSource: "ec2.amazonaws.com",
  eventNames: ["AuthorizeSecurityGroupIngress"],
  targetOf(record) {
    if (
      !isCall(record, "ec2.amazonaws.com", ["AuthorizeSecurityGroupIngress"]) ||
      !succeeded(record)
    )
      return undefined;
    const requested = itemsAt(record, "requestParameters.ipPermissions");
    const opensToWorld = requested.some(
      (p) =>
        itemsAt(p, "ipRanges").some((r) => WORLD_CIDRS.includes(String(r.cidrIp))) ||
        itemsAt(p, "ipv6Ranges").some((r) => WORLD_CIDRS.includes(String(r.cidrIpv6))),
    );
    const returned = itemsAt(record, "responseElements.securityGroupRuleSet");
    const world = returned.filter(
      (r) => r.isEgress !== true && WORLD_CIDRS.includes(String(r.cidrIpv4 ?? r.cidrIpv6 ?? "")),
    );
    if (world.length === 0) {
      if (!opensToWorld) return undefined;
      return {
        kind: "ineligible",
        reason:
          returned.length === 0
            ? "the record does not name the new security group rule ids (its response has no securityGroupRuleSet)"
            : "the rules in the response do not match the request",
      };
    }
    const region = stringAt(record, "awsRegion");
    const groupIds = new Set(world.map((r) => r.groupId));
    const groupId = [...groupIds][0];
    if (groupIds.size !== 1 || typeof groupId !== "string" || !GROUP_ID.test(groupId))
      return { kind: "ineligible", reason: "the response names no single security group" };
    if (!region || !REGION.test(region))
      return { kind: "ineligible", reason: "the record has no region" };
    const rules: IngressRule[] = [];
    for (const r of world) {
      const from = port(r.fromPort);
      const to = port(r.toPort);
      const protocol = String(r.ipProtocol);
      const id = String(r.securityGroupRuleId);
      if (!RULE_ID.test(id) || !PROTOCOL.test(protocol) || from === undefined || to === undefined)
        return { kind: "ineligible", reason: `rule ${id} in the response is not well formed` };
      rules.push({
        id,
        protocol,
        fromPort: from,
        toPort: to,
        cidr: String(r.cidrIpv4 ?? r.cidrIpv6),
      });
    }
    return { kind: "target", target: { region, groupId, rules } };
  },
  encode: (t) => ({
    region: t.region,
    group: t.groupId,
    rules: t.rules.map((r) => [r.id, r.protocol, r.fromPort, r.toPort, r.cidr].join(" ")).join(","),
  }),
  decode(params) {
    onlyParams(params, ["region", "group", "rules"]);
    const rules = splitList(requireParam(params, "rules", /^.{1,2000}$/, "rule list")).map((s) => {
      const [id, protocol, from, to, cidr, ...rest] = s.split(" ");
      if (
        rest.length > 0 ||
        !RULE_ID.test(id ?? "") ||
        !PROTOCOL.test(protocol ?? "") ||
        !PORT.test(from ?? "") ||
        !PORT.test(to ?? "") ||
        !WORLD_CIDRS.includes(cidr ?? "")
      )
        throw new Error(`the link's rule (r.rules) is not valid: ${s}`);
      return { id, protocol, fromPort: Number(from), toPort: Number(to), cidr };
    });
    if (rules.length === 0) throw new Error("the link names no rule (r.rules)");
    return {
      region: requireParam(params, "region", REGION, "region"),
      groupId: requireParam(params, "group", GROUP_ID, "security group id"),
      rules,
    };
  },
  describe: (t) =>
    `${t.rules.length === 1 ? "ingress rule" : "ingress rules"} ${t.rules
      .map((r) => `${r.id} (${portsOf(r)} from ${r.cidr})`)
      .join(", ")} of security group ${t.groupId} (${t.region})`,
  plan: (t) => [
    ...t.rules.map(
      (r) =>
        `Revoke ingress rule ${r.id} of security group ${t.groupId}: ${portsOf(r)} from ${r.cidr}.`,
    ),
    `Each rule is first checked to still be what this alert described; a rule changed since is left alone. Other rules of the group are not touched.`,
  ],
  names: () => [],
};
