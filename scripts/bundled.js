// Runs a command of the app as an esbuild bundle of its TypeScript, with V8's code cache: used by
// `npm run synth` (scripts/run-synth.js, also cdktf.json's "app") and `npm run backtest`
// (scripts/run-backtest.js). Compiling TypeScript on every start (tsx, ts-node) took more time
// than rendering the stacks, and tsx's loader slowed the backtest's worker threads too, so the
// bundle is rebuilt only when its entry, src/ or the installed packages changed. Plain
// JavaScript on purpose: this file must run before anything is compiled.
"use strict";
const {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const root = path.resolve(__dirname, "..");

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/**
 * Builds (when stale) and runs a bundle.
 * - `entryPoints`: output name (without .js) -> TypeScript entry, relative to the project root;
 *   the first one is run. More than one is for code started by file name beside the main one
 *   (the backtest's worker thread, `src/backtest/pool.ts`, loads `worker.js` from its own
 *   directory).
 * - `outdir`: where the bundles go, relative to the project root (gitignored `dist/…`).
 */
function runBundled({ entryPoints, outdir }) {
  const out = path.join(root, outdir);
  const names = Object.keys(entryPoints);
  const bundles = names.map((n) => path.join(out, `${n}.js`));
  const main = bundles[0];
  const codeCache = `${main}.v8-cache`;
  const sources = [
    path.join(root, "package-lock.json"),
    ...Object.values(entryPoints).map((e) => path.join(root, e)),
    ...tsFiles(path.join(root, "src")),
  ];
  const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  const stale = bundles.some((b) => !existsSync(b) || statSync(b).mtimeMs < newestSource);
  if (stale) {
    const { outputFiles } = require("esbuild").buildSync({
      entryPoints: Object.fromEntries(names.map((n) => [n, path.join(root, entryPoints[n])])),
      bundle: true,
      platform: "node",
      target: "node20",
      outdir: out,
      // Lambda packages are built at synth by src/lambda/package.ts, only on a cache miss: esbuild
      // stays a runtime require (its native binary cannot be bundled), as does @cdktf/hcl2json
      // (it loads its WebAssembly from its own directory; only `--hcl` uses it).
      external: ["esbuild", "@cdktf/hcl2json"],
      // jsonc-parser's main entry is a UMD wrapper whose require() calls esbuild cannot follow.
      alias: { "jsonc-parser": path.join(root, "node_modules/jsonc-parser/lib/esm/main.js") },
      logLevel: "error",
      write: false,
    });
    rmSync(codeCache, { force: true });
    // Each file written whole under a temporary name and renamed, so a run starting meanwhile
    // (parallel tests, two terminals) reads the old bundle or the new one, never half of one.
    mkdirSync(out, { recursive: true });
    for (const f of outputFiles) {
      const tmp = `${f.path}.${process.pid}.tmp`;
      writeFileSync(tmp, f.contents);
      renameSync(tmp, f.path);
    }
  }
  runWithCodeCache(main, codeCache);
}

/**
 * Runs the bundle as `require(bundle)` would, with V8's code cache for it: the machine code of
 * every function the last run compiled, taken when that run ended (`script.createCachedData()`
 * after execution, so it holds the lazily compiled functions too, which a cache produced at
 * compile time would not). Compiling the synth bundle was a third of synth time; with the cache,
 * start-up skips it (measured: 1.10 s -> 0.86 s for the example configuration, `require("cdktf")`
 * 0.38 s). Node 22's `module.enableCompileCache()` does this for every module; Node 20 has no such
 * switch.
 *
 * V8 checks a cache against its own version and flags but, of the source, only its length: a
 * cache of an older bundle of the same length would run the old code. So the cache file starts
 * with the identity of the bundle file it was made from (inode, size, modification time, read
 * from the open file whose text is compiled), and is used only for that file; a rebuild writes a
 * new file (bundled.js renames it in). A fresh cache is written at exit under a temporary name and
 * renamed, so concurrent runs never read half of one. The bundle must not use `import()`: Node 20
 * gives a script compiled from a cache no loader for it (src/hcl/verify.ts).
 */
function runWithCodeCache(file, cacheFile) {
  const fd = openSync(file, "r");
  let source;
  let identity;
  try {
    const st = fstatSync(fd);
    identity = `trailwatch-v8-cache ${st.ino}:${st.size}:${st.mtimeMs}\n`;
    source = readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
  let cachedData;
  try {
    const stored = readFileSync(cacheFile);
    const header = Buffer.from(identity);
    if (stored.subarray(0, header.length).equals(header))
      cachedData = stored.subarray(header.length);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(tmp, Buffer.concat([Buffer.from(identity), script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only checkout (or a directory in the way) only loses the speed-up.
        rmSync(tmp, { force: true });
      }
    });
  }
  const bundleModule = new Module(file, module);
  bundleModule.filename = file;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(file));
  const compiled = script.runInThisContext();
  compiled.call(
    bundleModule.exports,
    bundleModule.exports,
    Module.createRequire(file),
    bundleModule,
    file,
    path.dirname(file),
  );
}

module.exports = { runBundled, runWithCodeCache };
