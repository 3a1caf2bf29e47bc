import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { policy, renderPolicy, type PolicyDocument } from "../policy";

export interface EventForwarderRoleProps {
  readonly account: string;
  readonly region: string;
  /** The home region's default event bus. */
  readonly homeEventBusArn: string;
  /** Rule-name prefix; only those rules may use the role. */
  readonly resourcePrefix: string;
}

/** The role EventBridge rules of one region assume to put matched events on the home bus. */
export class EventForwarderRole extends Construct {
  readonly role: IamRole;
  readonly trustPolicy: PolicyDocument;
  readonly permissions: PolicyDocument;

  constructor(scope: Construct, id: string, props: EventForwarderRoleProps) {
    super(scope, id);
    this.trustPolicy = policy({
      Sid: "EventBridgeRulesOfThisRegion",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": props.account },
        ArnLike: {
          "aws:SourceArn": `arn:aws:events:${props.region}:${props.account}:rule/${props.resourcePrefix}*`,
        },
      },
    });
    this.role = new IamRole(this, "role", {
      // IAM is global: the region in the name keeps the stacks' roles apart.
      name: `${props.resourcePrefix}forward-${props.region}`,
      description: `EventBridge in ${props.region} forwards trailwatch detections to the home event bus`,
      assumeRolePolicy: renderPolicy(this.trustPolicy),
    });
    this.permissions = policy({
      Sid: "PutEventsOnHomeBusOnly",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: props.homeEventBusArn,
    });
    new IamRolePolicy(this, "policy", {
      name: "forward-to-home-bus",
      role: this.role.id,
      policy: renderPolicy(this.permissions),
    });
  }
}
