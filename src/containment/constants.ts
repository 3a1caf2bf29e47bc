/**
 * Values the Terraform constructs and the Lambda functions must agree on. Kept apart from the
 * handlers so that synthesizing the stacks never loads an AWS SDK client.
 */

/** The route links point at. */
export const CONTAIN_PATH = "/contain";

/**
 * Seconds the endpoint function may run: under API Gateway's 30-second limit for HTTP APIs, so the
 * function, not the gateway, decides what the person sees.
 */
export const HANDLER_TIMEOUT_SECONDS = 29;

/** The ledger table's partition key (String) and its TTL attribute (Number, epoch seconds). */
export const PARTITION_KEY = "pk";
export const TTL_ATTRIBUTE = "expiresAt";

/** Environment variable with the settings known only after apply (URL, secret ARN). */
export const SETTINGS_VARIABLE = "TRAILWATCH_CONTAINMENT";
/** File beside the bundle with the settings known at synth (actions, texts, names). */
export const SETTINGS_FILE = "containment-settings.json";
