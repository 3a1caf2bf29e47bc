import { TerraformStack } from "cdktf";
import { withLiteralStrings } from "../terraform/literals";

/**
 * The base of every trailwatch stack: renders each configured string literally (see
 * `src/terraform/literals.ts`), so a `${` or `%{` in an e-mail address, tag, name, description,
 * query or policy reaches Terraform as the text that was written. Write Terraform expressions as
 * cdktf tokens (references, `Fn.*`), never as `${…}` text: such text is taken literally too.
 */
export class TrailwatchStack extends TerraformStack {
  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    return withLiteralStrings(this, () => super.toTerraform());
  }

  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return withLiteralStrings(this, () => super.toHclTerraform());
  }
}
