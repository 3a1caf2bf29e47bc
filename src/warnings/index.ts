import type { TrailwatchConfig } from "../config/schema";
import { exampleValueWarnings } from "./example-values";
import { regionWarnings } from "./regions";
import { securityHubWarnings } from "./security-hub";
import type { ConfigWarning } from "./types";

export { formatWarning, type ConfigWarning } from "./types";
export { exampleValueWarnings } from "./example-values";
export { securityHubWarnings } from "./security-hub";

/**
 * Every warning for a valid configuration: example values first, then Security Hub controls given
 * up, then monitored regions that get no stack.
 */
export function configWarnings(c: TrailwatchConfig): ConfigWarning[] {
  return [...exampleValueWarnings(c), ...securityHubWarnings(c), ...regionWarnings(c)];
}
