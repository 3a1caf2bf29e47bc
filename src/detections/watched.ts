import type { Names } from "../names";
import type { WatchedResources } from "./types";

/**
 * The names of trailwatch's own resources that the watcher detections look for. The key is a
 * Terraform reference in the home stack and a literal in tests and tools; other regions never
 * instantiate the key's detections, so they may leave it empty.
 */
export function watchedResources(
  n: Names,
  key: { readonly arn: string; readonly id: string } = { arn: "", id: "" },
): WatchedResources {
  return {
    trailName: n.trailName,
    trailArn: n.trailArn,
    logGroupName: n.logGroupName,
    alertTopicArns: n.alertTopicArns,
    archiveBucket: n.archiveBucket,
    resourcePrefix: n.resourcePrefix,
    trailKeyArn: key.arn,
    trailKeyId: key.id,
    trailKeyAlias: n.keyAlias,
  };
}
