#!/usr/bin/env node
// `npm run synth` and `cdktf synth` (cdktf.json "app"): run main.ts as one esbuild bundle.
// Compiling TypeScript on every start (tsx, ts-node) took more time than rendering the stacks, so
// the bundle is rebuilt only when main.ts, src/ or the installed packages changed. Plain
// JavaScript on purpose: this file must run before anything is compiled.
"use strict";
const { existsSync, readdirSync, statSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bundle = path.join(root, "dist", "main.js");

function newestMtime(files) {
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

const sources = [
  path.join(root, "main.ts"),
  path.join(root, "package-lock.json"),
  ...tsFiles(path.join(root, "src")),
];
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestMtime(sources)) {
  require("esbuild").buildSync({
    entryPoints: [path.join(root, "main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    outfile: bundle,
    // Lambda packages are built at synth by src/lambda/package.ts, only on a cache miss: esbuild
    // stays a runtime require (its native binary cannot be bundled), as does @cdktf/hcl2json
    // (it loads its WebAssembly from its own directory; only `--hcl` uses it).
    external: ["esbuild", "@cdktf/hcl2json"],
    // jsonc-parser's main entry is a UMD wrapper whose require() calls esbuild cannot follow.
    alias: { "jsonc-parser": path.join(root, "node_modules/jsonc-parser/lib/esm/main.js") },
    logLevel: "error",
  });
}
require(bundle);
