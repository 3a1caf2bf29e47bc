import { App } from "cdktf";
import type { TrailwatchConfig } from "./config/schema";
import { resolveNames } from "./names";
import { HomeStack } from "./stacks/home-stack";
import { RegionalStack } from "./stacks/regional-stack";
import { ruleDetectionsFor, selectDetections, stackRegions } from "./detections/select";
import { watchedResources } from "./detections/watched";
import { MemberForwarding } from "./organization/member-forwarding";
import { managementAccount } from "./config/modes";

export interface TrailwatchApp {
  readonly app: App;
  readonly home: HomeStack;
  readonly regional: readonly RegionalStack[];
}

/** Builds every stack for a validated configuration. Nothing is written until `app.synth()`. */
export function buildApp(config: TrailwatchConfig, outdir: string): TrailwatchApp {
  const app = new App({ outdir, skipValidation: false });
  const names = resolveNames(config);
  const home = new HomeStack(app, {
    config,
    names,
    // Without a key to watch (an existing trail that names none) the key's detection means nothing.
    detections: (key) =>
      selectDetections(config, watchedResources(names, key)).filter(
        (d) => key || d.id !== "watcher-trail-key-changed",
      ),
  });
  // Outside home only region-independent names matter (home-scoped detections stay home).
  const detections = selectDetections(config, watchedResources(names));
  const regional = stackRegions(config, detections)
    .filter((r) => r !== config.homeRegion)
    .map(
      (region) =>
        new RegionalStack(app, {
          config,
          names,
          region,
          detections: ruleDetectionsFor(detections, region, config.homeRegion),
        }),
    );
  const org = config.organization;
  if (
    config.trail.mode === "organization" &&
    org?.memberAccounts?.enabled !== false &&
    org?.memberAccounts
  ) {
    // Member accounts' events reach EventBridge only in their own accounts: a StackSet forwards them.
    new MemberForwarding(home, "member-forwarding", {
      organizationId: org.id,
      centralEventBusArn: names.homeEventBusArn,
      detections,
      regions: stackRegions(config, detections),
      deployTo: org.memberAccounts.deployTo,
      delegatedAdmin: config.accountId !== managementAccount(config),
      resourcePrefix: `${config.name}-org-`,
      stackSetName: `${config.name}-member-forwarding`,
    });
  }
  return { app, home, regional };
}
