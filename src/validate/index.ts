/**
 * `npm run validate`'s library: the real Terraform CLI on trailwatch's rendered stacks, offline.
 * Other tests use it to assert on what Terraform itself plans:
 *
 *   const [home] = await planStacks(outdir);          // or planStack(`${outdir}/stacks/<stack>`)
 *   plannedResources(home.plan!, "aws_sns_topic_subscription").map((r) => r.values.endpoint);
 */
export {
  planStack,
  planStacks,
  planStackDirs,
  stackDirs,
  findProvider,
  NoProviderError,
} from "./plan-stacks";
export type { PlanOptions } from "./plan-stacks";
export type { StackPlan } from "./plan-stack";
export { plannedResources } from "./plan-json";
export type { PlannedJson, PlannedResource } from "./plan-json";
export { searchAwsProvider, chooseProvider, terraformTarget } from "./mirror";
export type { ProviderPackage, ProviderChoice, MirrorSearch } from "./mirror";
export { offlineStack } from "./offline-copy";
export type { OfflineChange } from "./offline-copy";
export { formatDiagnostic } from "./diagnostics";
export type { Diagnostic } from "./diagnostics";
