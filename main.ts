import { configPath, ConfigError, loadConfigFile } from "./src/config/load";
import { HclRenderError } from "./src/hcl/render";
import { TemplateSyntaxError } from "./src/hcl/template";
import { synthesize, synthesizeHcl } from "./src/synth";
import { outputFormat, SYNTH_USAGE, UsageError } from "./src/synth-options";
import { configWarnings, formatWarning } from "./src/warnings";

// Entry point for `npm run synth [-- --hcl | --json]` and `cdktf synth` (cdktf.json "app"). The
// CLI passes its output directory in CDKTF_OUTDIR.
async function main(): Promise<number> {
  const file = configPath();
  try {
    const config = loadConfigFile(file);
    const format = outputFormat(process.argv.slice(2), process.env, config.output.format);
    // Allowed but probably unintended (example values, Security Hub controls given up): say so
    // and render anyway.
    for (const w of configWarnings(config)) console.error(formatWarning(w));
    const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
    const stacks =
      format === "hcl" ? await synthesizeHcl(config, outdir) : synthesize(config, outdir);
    console.log(
      `trailwatch: rendered ${stacks.length} stack(s)${format === "hcl" ? " as HCL (main.tf)" : ""} into ${outdir}/stacks: ${stacks.join(", ")}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`synth: ${e.message}\n\n${SYNTH_USAGE}`);
      return 2;
    }
    if (
      e instanceof ConfigError ||
      e instanceof HclRenderError ||
      e instanceof TemplateSyntaxError
    ) {
      console.error(e.message);
      console.error("Nothing was written.");
      return 1;
    }
    throw e;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 70;
  },
);
