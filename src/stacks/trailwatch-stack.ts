import { TerraformStack } from "cdktf";
import { withLiteralStrings } from "../terraform/literals";
import { withHclStrings } from "../hcl/render";

/**
 * The base of every trailwatch stack: renders each configured string literally (see
 * `src/terraform/literals.ts`), so a `${` or `%{` in an e-mail address, tag, name, description,
 * query or policy reaches Terraform as the text that was written. Write Terraform expressions as
 * cdktf tokens (references, `Fn.*`), never as `${…}` text: such text is taken literally too.
 * Its HCL rendering writes every string itself (src/hcl/render.ts): cdktf's is wrong for many.
 */
export class TrailwatchStack extends TerraformStack {
  /**
   * cdktf's prepare step without its extra resolving pass. In cdktf 0.21 that pass (every
   * element's configuration resolved once more before the real rendering: a fifth of synth time,
   * measured with `node --cpu-prof`) exists only to find references to another stack's resources
   * and add remote state and outputs for them (`Reference.resolve` in cdktf's tfExpression.js).
   * trailwatch's stacks never reference each other: each region's state is planned and applied on
   * its own, and what a stack needs of another (the home region's bus or topic) is an ARN built
   * from the configuration. A reference slipped in by mistake would render as a reference to an
   * undeclared resource, which `terraform validate` (`npm run validate`, CI) rejects; and
   * `__tests__/stacks-independent.test.ts` renders every example both ways and finds them equal.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    return withLiteralStrings(this, () => super.toTerraform());
  }

  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return withLiteralStrings(this, () => withHclStrings(this, () => super.toHclTerraform()));
  }
}
