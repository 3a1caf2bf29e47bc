import { App } from "cdktf";
import type { TrailwatchConfig } from "./config/schema";
import { resolveNames } from "./names";
import { HomeStack } from "./stacks/home-stack";

export interface TrailwatchApp {
  readonly app: App;
  readonly home: HomeStack;
}

/** Builds every stack for a validated configuration. Nothing is written until `app.synth()`. */
export function buildApp(config: TrailwatchConfig, outdir: string): TrailwatchApp {
  const app = new App({ outdir, skipValidation: false });
  const names = resolveNames(config);
  const home = new HomeStack(app, { config, names });
  return { app, home };
}
