#!/usr/bin/env node
// `npm run backtest`: scripts/backtest.ts and its worker thread as cached bundles (bundled.js).
"use strict";
require("./bundled").runBundled({
  entryPoints: { backtest: "scripts/backtest.ts", worker: "src/backtest/worker.ts" },
  outdir: "dist/backtest",
});
