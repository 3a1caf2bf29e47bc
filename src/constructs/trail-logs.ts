import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Names } from "../names";
import { policy, renderPolicy, type PolicyDocument } from "../policy";

export interface TrailLogsProps {
  readonly names: Names;
  readonly kmsKeyArn: string;
  /** Days CloudWatch Logs keeps trail events (metric filters read them here). @default 365 */
  readonly retentionDays?: number;
}

/** The trail's CloudWatch Logs log group and the role CloudTrail assumes to write into it. */
export class TrailLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  readonly trustPolicy: PolicyDocument;
  readonly permissions: PolicyDocument;
  /** The role's permissions; CloudTrail checks them when the trail is created or updated. */
  readonly rolePolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: TrailLogsProps) {
    super(scope, id);
    const n = props.names;
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: n.logGroupName,
      retentionInDays: props.retentionDays ?? 365,
      kmsKeyId: props.kmsKeyArn,
      lifecycle: { preventDestroy: true },
    });
    this.trustPolicy = policy({
      Sid: "CloudTrailForThisTrailOnly",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        // The trail's account: the management account for an organization trail.
        StringEquals: { "aws:SourceAccount": n.trailAccount, "aws:SourceArn": n.trailArn },
      },
    });
    this.role = new IamRole(this, "role", {
      name: n.trailLogsRole,
      description: "CloudTrail delivers trail events to its CloudWatch Logs log group",
      assumeRolePolicy: renderPolicy(this.trustPolicy),
    });
    this.permissions = policy({
      Sid: "WriteTrailEventsToThisLogGroup",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${n.logGroupArn}:log-stream:*`,
    });
    this.rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: "cloudtrail-to-logs",
      role: this.role.id,
      policy: renderPolicy(this.permissions),
    });
  }
}
