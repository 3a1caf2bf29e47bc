/**
 * Tags trailwatch itself puts on every resource, beside the configuration's `tags` (both through
 * the AWS provider's `default_tags`). The configuration's tags are checked against these: the
 * total must stay within AWS's 50 tags per resource, and a user tag may not take one of these
 * keys (AWS tagging rules; keys compared ignoring case, as IAM does for roles).
 */

/** The stack (Terraform state) that manages a resource: `<name>-<region>` or `<name>-bootstrap`. */
export const STACK_TAG = "trailwatch:stack";

/** Every tag key trailwatch sets. */
export const TRAILWATCH_TAG_KEYS: readonly string[] = [STACK_TAG];

/** Tags per resource AWS allows (user tags; `aws:` tags do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;

/** The provider's `default_tags` for a stack: the configured tags and trailwatch's own. */
export function defaultTags(
  configured: Readonly<Record<string, string>>,
  stackName: string,
): Record<string, string> {
  return { ...configured, [STACK_TAG]: stackName };
}
