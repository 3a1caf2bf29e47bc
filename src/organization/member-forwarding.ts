import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { CloudformationStackSetInstance } from "@cdktf/provider-aws/lib/cloudformation-stack-set-instance";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import type { Detection } from "../detections/types";
import { policy, renderPolicy, type PolicyDocument } from "../policy";
import { renderMemberTemplate } from "./member-template";

export interface MemberForwardingProps {
  /** The AWS Organizations id, `o-...`. */
  readonly organizationId: string;
  /** The central bus (home region's default bus of the deploying account). */
  readonly centralEventBusArn: string;
  /** Enabled detections; the member template gets the event-delivered regional and global ones. */
  readonly detections: readonly Detection[];
  /** Regions to deploy the member rules to (every monitored region, us-east-1 for global ones). */
  readonly regions: readonly string[];
  /** The organization root (`r-...`) or OU ids (`ou-...`) the StackSet deploys to. */
  readonly deployTo: readonly string[];
  /** Running in a delegated administrator account (StackSets `call_as = DELEGATED_ADMIN`). */
  readonly delegatedAdmin: boolean;
  /** Name prefix of the StackSet and of the member accounts' rules and roles, e.g. "trailwatch-org-". */
  readonly resourcePrefix: string;
  /** Name of the StackSet. */
  readonly stackSetName: string;
}

/**
 * EventBridge forwarding in every member account and monitored region, including accounts
 * created later: a service-managed CloudFormation StackSet with automatic deployment to the
 * organization root or to OUs, one stack instance resource per region (not per account: the plan
 * does not grow with the organization), and the central bus's resource policy admitting
 * `events:PutEvents` from the organization only (`aws:PrincipalOrgID`).
 *
 * AWS and provider facts (../shared/PITFALLS.md, CloudFormation StackSets user guide):
 * service-managed StackSets need trusted access for StackSets in Organizations; they never deploy
 * into the management account (trailwatch's own regional stacks cover it); with `auto_deployment`
 * AWS fills `administration_role_arn`, so it is never set and its drift ignored (provider < 6.29);
 * a delegated administrator sets `call_as = "DELEGATED_ADMIN"` on the set and on every instance;
 * the template names IAM roles, so `CAPABILITY_NAMED_IAM`.
 */
export class MemberForwarding extends Construct {
  readonly stackSet: CloudformationStackSet;
  readonly instances: CloudformationStackSetInstance[] = [];
  readonly busPolicy: CloudwatchEventBusPolicy;
  readonly busPolicyDocument: PolicyDocument;
  readonly templateBody: string;

  constructor(scope: Construct, id: string, props: MemberForwardingProps) {
    super(scope, id);
    this.busPolicyDocument = centralBusPolicy(props.organizationId, props.centralEventBusArn);
    this.busPolicy = new CloudwatchEventBusPolicy(this, "central-bus-policy", {
      eventBusName: "default",
      policy: renderPolicy(this.busPolicyDocument),
    });
    this.templateBody = renderMemberTemplate({
      detections: props.detections,
      centralEventBusArn: props.centralEventBusArn,
      resourcePrefix: props.resourcePrefix,
    });
    if (Token.isUnresolved(this.templateBody))
      throw new Error("the member template must be plain JSON: it holds a Terraform reference");
    const callAs = props.delegatedAdmin ? "DELEGATED_ADMIN" : "SELF";
    this.stackSet = new CloudformationStackSet(this, "stack-set", {
      name: props.stackSetName,
      description:
        "trailwatch: EventBridge rules in every member account forward CloudTrail detections to the central event bus",
      permissionModel: "SERVICE_MANAGED",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      callAs,
      // Any `${` in the template reaches Terraform escaped, like every string (src/terraform/literals.ts).
      templateBody: this.templateBody,
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: "PARALLEL",
      },
      lifecycle: { ignoreChanges: ["administration_role_arn"] },
      // Member rules forward to the central bus: its policy must admit them first.
      dependsOn: [this.busPolicy],
    });
    for (const region of props.regions) {
      this.instances.push(
        new CloudformationStackSetInstance(this, `instance-${region}`, {
          stackSetName: this.stackSet.name,
          stackSetInstanceRegion: region,
          callAs,
          deploymentTargets: { organizationalUnitIds: [...props.deployTo] },
          retainStack: false,
        }),
      );
    }
  }
}

/**
 * The central bus's resource policy: any principal of the organization may put events on it, no
 * one else (a bus policy is at most 10 KB; this one is a few hundred bytes, whatever the size of
 * the organization).
 */
export function centralBusPolicy(organizationId: string, busArn: string): PolicyDocument {
  return policy({
    Sid: "OrganizationMembersPutEvents",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: "events:PutEvents",
    Resource: busArn,
    Condition: { StringEquals: { "aws:PrincipalOrgID": organizationId } },
  });
}
