import { Construct } from "constructs";
import { S3Backend } from "cdktf";
import { TrailwatchStack } from "./trailwatch-stack";
import { defaultTags } from "../tags";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { TrailwatchConfig } from "../config/schema";
import { stateKey, type Names } from "../names";

export interface BaseStackProps {
  readonly config: TrailwatchConfig;
  readonly names: Names;
  readonly region: string;
}

/** A stack for one region: its AWS provider (pinned to the account) and its own S3 state. */
export class BaseStack extends TrailwatchStack {
  readonly provider: AwsProvider;

  constructor(scope: Construct, props: BaseStackProps) {
    const stackName = props.names.stackName(props.region);
    super(scope, stackName);
    const c = props.config;
    this.provider = new AwsProvider(this, "aws", {
      region: props.region,
      // Refuse to plan against any other account: a wrong profile must not create a trail elsewhere.
      allowedAccountIds: [c.accountId],
      defaultTags: [{ tags: defaultTags(c.tags, stackName) }],
    });
    new S3Backend(this, {
      bucket: c.state.bucket,
      key: stateKey(c.state.keyPrefix, c.name, props.region),
      // The state bucket's region, which is not necessarily this stack's.
      region: c.state.region,
      encrypt: true,
    });
    // cdktf 0.21's S3Backend has no use_lockfile field (native S3 locking, Terraform >= 1.10).
    this.addOverride("terraform.backend.s3.use_lockfile", true);
  }

  /**
   * Always false, so cdktf does not check the Terraform version itself. With any `moved` block in a
   * stack, cdktf 0.21 spawns `terraform version` on every synth to require >= 1.5 (its
   * synthesize/synthesizer.js): about half of `require("cdktf")` again, and a crash of synth on a
   * machine without Terraform. The check adds nothing here: this stack's backend sets
   * `use_lockfile`, which Terraform < 1.10 refuses at init, before any `moved` block is read.
   */
  override hasResourceMove(): boolean {
    return false;
  }
}
