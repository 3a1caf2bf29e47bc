#!/usr/bin/env node
// `npm run synth` and `cdktf synth` (cdktf.json "app"): main.ts as a cached bundle (bundled.js).
"use strict";
require("./bundled").runBundled({ entryPoints: { main: "main.ts" }, outdir: "dist" });
