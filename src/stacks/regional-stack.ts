import { Construct } from "constructs";
import type { TrailwatchConfig } from "../config/schema";
import type { Names } from "../names";
import type { Detection } from "../detections/types";
import { DetectionRules } from "../constructs/detection-rules";
import { EventForwarderRole } from "../constructs/event-forwarder-role";
import { BaseStack } from "./base-stack";

export interface RegionalStackProps {
  readonly config: TrailwatchConfig;
  readonly names: Names;
  readonly region: string;
  /** Event detections with a rule in this region. */
  readonly detections: readonly Detection[];
}

/**
 * A monitored region other than home: EventBridge rules for the API calls made here, forwarding
 * matches to the home region's bus, so one topic and one set of e-mail confirmations serve all.
 */
export class RegionalStack extends BaseStack {
  readonly rules: DetectionRules;
  readonly forwarder: EventForwarderRole;

  constructor(scope: Construct, props: RegionalStackProps) {
    super(scope, { config: props.config, names: props.names, region: props.region });
    const n = props.names;
    this.forwarder = new EventForwarderRole(this, "forwarder", {
      account: n.account,
      region: props.region,
      homeEventBusArn: n.homeEventBusArn,
      resourcePrefix: n.resourcePrefix,
    });
    this.rules = new DetectionRules(this, "detections", {
      detections: props.detections,
      resourcePrefix: n.resourcePrefix,
      target: { kind: "bus", eventBusArn: n.homeEventBusArn, roleArn: this.forwarder.role.arn },
    });
  }
}
