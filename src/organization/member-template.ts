/**
 * The CloudFormation template a service-managed StackSet deploys into every member account and
 * monitored region: one EventBridge rule per event detection, forwarding matches unchanged to
 * the organization's central event bus (trailwatch's home region, default bus), and the role
 * those rules assume to put events there.
 *
 * Rendered from the same detection data as the home and regional stacks (eventPatternOf), so the
 * member accounts' rules are the rules trailwatch tests on real CloudTrail records. Global
 * detections (IAM, STS, Organizations, sign-in) are deployed in us-east-1 only, where those events
 * arrive (a CloudFormation Condition on AWS::Region): one template serves every region.
 *
 * Sources: CloudFormation user guide (AWS::Events::Rule `State` accepts
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; AWS::IAM::Role); EventBridge user guide,
 * "Sending and receiving events between AWS accounts" (a rule targeting another account's bus
 * needs a role with events:PutEvents when the bus policy grants by aws:PrincipalOrgID).
 */
import { GLOBAL_EVENTS_REGION } from "../config/regions";
import { eventPatternOf, deliversEvent } from "../detections/render";
import type { Detection } from "../detections/types";
import { policy, type PolicyDocument } from "../policy";

/** CloudFormation's limit on a template passed inline (`TemplateBody`), in bytes. */
export const TEMPLATE_BODY_LIMIT = 51_200;

export interface MemberTemplateProps {
  /** Enabled detections; the event-delivered regional and global ones get a rule. */
  readonly detections: readonly Detection[];
  /** The central bus: `arn:aws:events:<home>:<account>:event-bus/default`. */
  readonly centralEventBusArn: string;
  /** Prefix of rule and role names in member accounts, e.g. "trailwatch-org-". */
  readonly resourcePrefix: string;
}

/** The detections a member account gets a rule for: regional ones, and global ones (us-east-1 only). */
export function memberDetections(ds: readonly Detection[]): Detection[] {
  return ds.filter((d) => deliversEvent(d) && (d.scope === "regional" || d.scope === "global"));
}

/** CloudFormation logical ids are alphanumeric: `cis-root-usage` -> `RuleCisRootUsage`. */
export function logicalId(prefix: string, id: string): string {
  return (
    prefix +
    id
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join("")
  );
}

const join = (...parts: unknown[]) => ({ "Fn::Join": ["", parts] });
const REGION = { Ref: "AWS::Region" };
const ACCOUNT = { Ref: "AWS::AccountId" };

/** The role's trust policy: EventBridge, for this account's rules with our prefix in this region. */
export function memberTrustPolicy(prefix: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeRulesOfThisAccountAndRegion",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: {
            "aws:SourceArn": join("arn:aws:events:", REGION, ":", ACCOUNT, `:rule/${prefix}*`),
          },
        },
      },
    ],
  };
}

/** The role's permissions: put events on the central bus, nothing else. */
export function memberForwarderPermissions(centralEventBusArn: string): PolicyDocument {
  return policy({
    Sid: "PutEventsOnCentralBusOnly",
    Effect: "Allow",
    Action: "events:PutEvents",
    Resource: centralEventBusArn,
  });
}

/** The template as data (rendered with JSON.stringify). */
export function memberTemplate(p: MemberTemplateProps): Record<string, unknown> {
  const ds = memberDetections(p.detections);
  const resources: Record<string, unknown> = {
    ForwarderRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        // IAM is global: one role per region's stack instance, named after its region.
        RoleName: join(p.resourcePrefix, "forward-", REGION),
        Description:
          "trailwatch: EventBridge rules forward CloudTrail detections to the organization's central event bus",
        AssumeRolePolicyDocument: memberTrustPolicy(p.resourcePrefix),
        Policies: [
          {
            PolicyName: "forward-to-central-bus",
            PolicyDocument: memberForwarderPermissions(p.centralEventBusArn),
          },
        ],
      },
    },
  };
  for (const d of ds) {
    resources[logicalId("Rule", d.id)] = {
      Type: "AWS::Events::Rule",
      ...(d.scope === "global" ? { Condition: "IsGlobalEventsRegion" } : {}),
      Properties: {
        Name: `${p.resourcePrefix}${d.id}`,
        Description: `trailwatch ${d.id}: ${d.title}`.slice(0, 512),
        EventPattern: eventPatternOf(d),
        // Read-only management events reach only rules in this state.
        State: d.matchesReadOnly ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
        Targets: [
          {
            Id: "central-event-bus",
            Arn: p.centralEventBusArn,
            RoleArn: { "Fn::GetAtt": ["ForwarderRole", "Arn"] },
          },
        ],
      },
    };
  }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "trailwatch member account: forward CloudTrail detections to the organization's central event bus",
    Conditions: {
      // IAM, STS, Organizations and console sign-in events reach EventBridge in us-east-1 only.
      IsGlobalEventsRegion: { "Fn::Equals": [REGION, GLOBAL_EVENTS_REGION] },
    },
    Resources: resources,
  };
}

/**
 * The template body: pretty-printed JSON. Multi-line on purpose: cdktf's HCL output writes a
 * multi-line string as a heredoc, which Terraform reads literally (see src/hcl/). Throws when it
 * exceeds CloudFormation's inline template limit.
 */
export function renderMemberTemplate(p: MemberTemplateProps): string {
  const body = JSON.stringify(memberTemplate(p), null, 1);
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > TEMPLATE_BODY_LIMIT)
    throw new Error(
      `the member accounts' StackSet template is ${bytes} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit: turn some event detections off`,
    );
  return body;
}
