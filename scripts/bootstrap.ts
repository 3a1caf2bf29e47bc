import { App } from "cdktf";
import { configPath, ConfigError, loadConfigFile } from "../src/config/load";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { exampleValueWarnings, formatWarning } from "../src/warnings";

// `npm run bootstrap`: renders the state-bucket stack (local state) into bootstrap.out/.
// Then: cd bootstrap.out/stacks/<name>-bootstrap && terraform init && terraform apply
try {
  const config = loadConfigFile(configPath());
  // The state bucket's account and name come from the same file: creating it for the example
  // account fails at apply, so say it now.
  for (const w of exampleValueWarnings(config)) console.error(formatWarning(w));
  const app = new App({ outdir: "bootstrap.out" });
  const stack = new BootstrapStack(app, config);
  app.synth();
  console.log(
    `trailwatch: rendered bootstrap.out/stacks/${stack.node.id}; run terraform init && terraform apply there`,
  );
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  console.error("Nothing was written.");
  process.exitCode = 1;
}
