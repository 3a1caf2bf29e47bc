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
  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    return withLiteralStrings(this, () => super.toTerraform());
  }

  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return withLiteralStrings(this, () => withHclStrings(this, () => super.toHclTerraform()));
  }
}
