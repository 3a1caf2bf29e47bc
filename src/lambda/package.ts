/**
 * Lambda deployment packages for trailwatch's own functions (alert enrichment, containment):
 * a handler entry bundled by esbuild into one minified `index.js`, zipped deterministically,
 * cached so that a synth without a source change runs no bundler and writes no zip.
 *
 * Cache: `dist/lambda/<entry path, slashes as dashes>/` under the repository root (`dist/` is
 * gitignored, like the app bundle scripts/run-synth.js keeps there). It holds
 * - `manifest.json`: the cache key of the last build and the project files it read;
 * - `index.js` and `index.js.map`: the bundle and its source map (the map is not deployed);
 * - `<sha256>.zip`: packages, named by a hash of the bundle and the extra files they contain.
 *
 * Cache key: SHA-256 over the build options, the esbuild and builder versions, the lock file
 * (it pins every package under node_modules the bundle reads) and the content of every project
 * file the previous build read (esbuild's metafile). The set of files a build reads can only
 * change when one of those files changes, so hashing the previous set is sound.
 *
 * Determinism (so `source_code_hash` is the same on every machine and a re-synth plans no
 * change): esbuild's output depends only on its inputs and version; the zip has fixed entry
 * order, fixed timestamps (1980-01-01 12:00 local time, which fflate writes as DOS time from
 * local fields, so the bytes do not depend on the time zone), fixed Unix mode 0644, and is
 * compressed by fflate, a pure-JavaScript DEFLATE: Node's zlib is not used because its output
 * varies with the CPU (Chromium's zlib picks SIMD hashing where available).
 *
 * Source maps: written beside the cached bundle, not deployed. `--enable-source-maps` would make
 * every cold start parse the map for a benefit only when reading a stack trace; the handlers log
 * their own context with every error, and a trace maps back with the cached map (which is the
 * same on every machine, since the bundle is).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";

/** Bump when the build or zip logic changes in a way that changes the output. */
const BUILDER_VERSION = 1;

/** Node.js syntax level of the bundle; the functions run on the `nodejs22.x` runtime. */
export const BUNDLE_TARGET = "node20";

/** Zips kept per entry: enough for a few configurations side by side (tests, examples). */
const ZIPS_KEPT = 16;

/** DOS timestamps start in 1980; local noon so no time zone can move the date. */
const FIXED_MTIME = new Date(1980, 0, 1, 12, 0, 0);

export interface PackageOptions {
  /** Handler entry, relative to the repository root, e.g. `src/alerts/handler.ts`. It must export `handler`. */
  readonly entry: string;
  /**
   * Files placed beside `index.js` in the zip: name → UTF-8 text (e.g. a catalog generated at
   * synth). Names are relative paths without `..`. @default none
   */
  readonly files?: Readonly<Record<string, string>>;
  /** Repository root. @default the directory above this module holding package-lock.json */
  readonly root?: string;
  /** Cache directory. @default `<root>/dist/lambda` */
  readonly cacheDir?: string;
}

export interface LambdaPackage {
  /** Absolute path of the zip (inside the cache: copy it, never edit it). */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip: Lambda's `CodeSha256`, Terraform's `source_code_hash`. */
  readonly sourceCodeHash: string;
  /** Hex SHA-256 of the zip (a file-name-safe form of the same hash). */
  readonly sha256Hex: string;
  /** Size of the zip and of the bundled `index.js`, in bytes. */
  readonly zipBytes: number;
  readonly bundleBytes: number;
  /** `hit`: nothing rebuilt; `zip`: bundle reused, zip written; `build`: esbuild ran. */
  readonly cache: "hit" | "zip" | "build";
}

interface Manifest {
  readonly key: string;
  /** Project files the build read, relative to the root, sorted. */
  readonly inputs: readonly string[];
}

/** The directory above `from` that holds package-lock.json (the repository root). */
export function findRoot(from = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package-lock.json"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no package-lock.json above ${from}: cannot find the repository root`);
  }
}

const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
};

function esbuildOptions(root: string, entry: string, outfile: string) {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node" as const,
    target: BUNDLE_TARGET,
    format: "cjs" as const,
    // The AWS SDK v3 ships ES modules under "module": they tree-shake, the CommonJS builds do not.
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: "external" as const,
    sourcesContent: false,
    legalComments: "eof" as const,
    // The bundle carries its own pinned SDK rather than the runtime's, whose version drifts.
    external: [],
    write: false,
    metafile: true,
    logLevel: "silent" as const,
  };
}

function esbuildVersion(root: string): string {
  return JSON.parse(readFileSync(path.join(root, "node_modules/esbuild/package.json"), "utf8"))
    .version as string;
}

/** The cache key for building `entry` when the build reads `inputs` (missing file: undefined). */
function cacheKey(root: string, entry: string, inputs: readonly string[]): string | undefined {
  const parts: (string | Uint8Array)[] = [
    `builder ${BUILDER_VERSION}`,
    `esbuild ${esbuildVersion(root)}`,
    JSON.stringify(esbuildOptions(root, entry, "index.js"), (k, v) =>
      k === "absWorkingDir" ? undefined : v,
    ),
    readFileSync(path.join(root, "package-lock.json")),
  ];
  for (const input of inputs) {
    const file = path.join(root, input);
    if (!existsSync(file)) return undefined;
    parts.push(input, readFileSync(file));
  }
  return sha256(...parts);
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function readManifest(file: string): Manifest | undefined {
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as Manifest;
    return typeof m.key === "string" && Array.isArray(m.inputs) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Runs esbuild (loaded only here: a cache hit never pays for it) and records what it read. */
function build(root: string, entry: string, dir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const outfile = path.join(dir, "index.js");
  const result = esbuild.buildSync(esbuildOptions(root, entry, outfile));
  if (result.errors.length > 0)
    throw new Error(`esbuild failed for ${entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  for (const out of result.outputFiles ?? []) writeAtomically(out.path, out.contents);
  const inputs = Object.keys(result.metafile?.inputs ?? {})
    .filter((f) => !f.split(/[\\/]/).includes("node_modules"))
    .map((f) => f.split(path.sep).join("/"))
    .sort();
  const key = cacheKey(root, entry, inputs);
  if (!key) throw new Error(`an input of ${entry} vanished during the build`);
  writeAtomically(path.join(dir, "manifest.json"), JSON.stringify({ key, inputs }, null, 2));
}

function checkFileName(name: string): void {
  const parts = name.split("/");
  if (name === "index.js" || name === "" || parts.some((p) => p === "" || p === "." || p === ".."))
    throw new Error(`cannot add ${JSON.stringify(name)} to a Lambda package`);
}

/** The zip's bytes: index.js, then the extra files by name; fixed metadata (see above). */
export function zipPackage(
  bundle: Uint8Array,
  files: Readonly<Record<string, string>>,
): Uint8Array {
  const attrs = { mtime: FIXED_MTIME, os: 3, attrs: 0o100644 << 16, level: 9 as const };
  const entries: Record<string, [Uint8Array, typeof attrs]> = { "index.js": [bundle, attrs] };
  for (const name of Object.keys(files).sort()) {
    checkFileName(name);
    entries[name] = [new TextEncoder().encode(files[name]), attrs];
  }
  return zipSync(entries);
}

function prune(dir: string, keep: string): void {
  const zips = readdirSync(dir)
    .filter((f) => f.endsWith(".zip") && f !== path.basename(keep))
    .map((f) => ({ f, t: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of zips.slice(ZIPS_KEPT - 1)) rmSync(path.join(dir, f), { force: true });
}

/**
 * Builds (or finds in the cache) the deployment package of one handler. Synchronous, so it can
 * run inside a construct. Throws when esbuild reports an error or an extra file name is unsafe.
 */
export function packageLambda(options: PackageOptions): LambdaPackage {
  const root = options.root ?? findRoot();
  const entry = options.entry.split(path.sep).join("/");
  const dir = path.join(
    options.cacheDir ?? path.join(root, "dist", "lambda"),
    entry.replace(/\.[cm]?[jt]s$/, "").replace(/[^A-Za-z0-9._-]+/g, "-"),
  );
  mkdirSync(dir, { recursive: true });
  const manifestFile = path.join(dir, "manifest.json");
  const bundleFile = path.join(dir, "index.js");

  let cache: LambdaPackage["cache"] = "hit";
  const manifest = readManifest(manifestFile);
  const fresh =
    manifest !== undefined &&
    existsSync(bundleFile) &&
    cacheKey(root, entry, manifest.inputs) === manifest.key;
  if (!fresh) {
    build(root, entry, dir);
    cache = "build";
  }
  const bundle = readFileSync(bundleFile);
  const files = options.files ?? {};
  const zipName = `${sha256(
    `builder ${BUILDER_VERSION}`,
    bundle,
    ...Object.keys(files)
      .sort()
      .flatMap((k) => [k, files[k]]),
  )}.zip`;
  const zipPath = path.join(dir, zipName);
  let zip: Uint8Array;
  if (existsSync(zipPath)) {
    zip = readFileSync(zipPath);
    // Recently used zips survive pruning.
    const now = new Date();
    utimesSync(zipPath, now, now);
  } else {
    zip = zipPackage(bundle, files);
    writeAtomically(zipPath, zip);
    prune(dir, zipPath);
    if (cache === "hit") cache = "zip";
  }
  const digest = createHash("sha256").update(zip).digest();
  return {
    zipPath,
    sourceCodeHash: digest.toString("base64"),
    sha256Hex: digest.toString("hex"),
    zipBytes: zip.byteLength,
    bundleBytes: bundle.byteLength,
    cache,
  };
}
