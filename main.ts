import { configPath, ConfigError, loadConfigFile } from "./src/config/load";
import { synthesize } from "./src/synth";
import { configWarnings, formatWarning } from "./src/warnings";

// Entry point for `npm run synth` and `cdktf synth` (cdktf.json "app"). The CLI passes its
// output directory in CDKTF_OUTDIR.
function main(): number {
  const file = configPath();
  try {
    const config = loadConfigFile(file);
    // Allowed but probably unintended (example values, Security Hub controls given up): say so
    // and render anyway.
    for (const w of configWarnings(config)) console.error(formatWarning(w));
    const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
    const stacks = synthesize(config, outdir);
    console.log(
      `trailwatch: rendered ${stacks.length} stack(s) into ${outdir}/stacks: ${stacks.join(", ")}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      console.error("Nothing was written.");
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
