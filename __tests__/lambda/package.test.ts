/**
 * Lambda packaging (src/lambda/package.ts): cache hits and misses, and deterministic zips. Each
 * test builds a small handler in a throw-away repository (a temp directory with its own lock
 * file and source files, node_modules linked to the real one), so the real esbuild runs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { packageLambda, zipPackage } from "../../src/lambda/package";
import { ROOT } from "../helpers";

let root: string;
let cacheDir: string;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const pack = (files?: Record<string, string>) =>
  packageLambda({ entry: "src/fn/handler.ts", root, cacheDir, files });

/** Runs the packaged handler the way Lambda loads it: `require("index.js").handler(event)`. */
function invoke(zipPath: string, event: unknown): Promise<unknown> {
  const entries = unzipSync(readFileSync(zipPath));
  const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-unzipped-"));
  try {
    for (const [name, data] of Object.entries(entries)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), data);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, "index.js"));
    return mod.handler(event);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "trailwatch-pkg-"));
  cacheDir = path.join(root, "cache");
  symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  write("package-lock.json", '{"lockfileVersion": 3}\n');
  write("src/fn/greet.ts", "export const greet = (who: string): string => `hello ${who}`;\n");
  write(
    "src/fn/handler.ts",
    'import { greet } from "./greet";\nexport const handler = async (e: { who: string }) => greet(e.who);\n',
  );
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

test("the first package builds; the zip holds a runnable index.js", async () => {
  const p = pack();
  expect(p.cache).toBe("build");
  expect(Object.keys(unzipSync(readFileSync(p.zipPath)))).toEqual(["index.js"]);
  expect(await invoke(p.zipPath, { who: "alice" })).toBe("hello alice");
  expect(p.sourceCodeHash).toBe(
    createHash("sha256").update(readFileSync(p.zipPath)).digest("base64"),
  );
  expect(p.zipBytes).toBe(statSync(p.zipPath).size);
});

test("nothing changed: a cache hit with the same hash, esbuild not run", () => {
  const first = pack();
  const bundle = path.join(path.dirname(first.zipPath), "index.js");
  const built = statSync(bundle).mtimeMs;
  const second = pack();
  expect(second.cache).toBe("hit");
  expect(second.sourceCodeHash).toBe(first.sourceCodeHash);
  expect(statSync(bundle).mtimeMs).toBe(built);
});

test("a changed handler source, imported file or lock file rebuilds", async () => {
  const first = pack();
  write("src/fn/greet.ts", "export const greet = (who: string): string => `hi ${who}`;\n");
  const changed = pack();
  expect(changed.cache).toBe("build");
  expect(changed.sourceCodeHash).not.toBe(first.sourceCodeHash);
  expect(await invoke(changed.zipPath, { who: "bob" })).toBe("hi bob");

  write("package-lock.json", '{"lockfileVersion": 3, "packages": {}}\n');
  expect(pack().cache).toBe("build");
});

test("a file newly imported is tracked from then on", async () => {
  pack();
  write("src/fn/punct.ts", 'export const bang = "!";\n');
  write(
    "src/fn/handler.ts",
    'import { greet } from "./greet";\nimport { bang } from "./punct";\nexport const handler = async (e: { who: string }) => greet(e.who) + bang;\n',
  );
  expect(pack().cache).toBe("build");
  expect(pack().cache).toBe("hit");
  write("src/fn/punct.ts", 'export const bang = "?";\n');
  const p = pack();
  expect(p.cache).toBe("build");
  expect(await invoke(p.zipPath, { who: "carol" })).toBe("hello carol?");
});

test("reverting a change gives back the very same package (deterministic build)", () => {
  const first = pack();
  write("src/fn/greet.ts", "export const greet = (who: string): string => `yo ${who}`;\n");
  pack();
  write("src/fn/greet.ts", "export const greet = (who: string): string => `hello ${who}`;\n");
  rmSync(cacheDir, { recursive: true });
  const again = pack();
  expect(again.cache).toBe("build");
  expect(again.sourceCodeHash).toBe(first.sourceCodeHash);
});

test("extra files change the zip, not the bundle", () => {
  const plain = pack();
  const withCatalog = pack({ "catalog.json": '{"a":1}' });
  expect(withCatalog.cache).toBe("zip");
  expect(withCatalog.sourceCodeHash).not.toBe(plain.sourceCodeHash);
  const entries = unzipSync(readFileSync(withCatalog.zipPath));
  expect(Object.keys(entries)).toEqual(["index.js", "catalog.json"]);
  expect(new TextDecoder().decode(entries["catalog.json"])).toBe('{"a":1}');
  expect(pack({ "catalog.json": '{"a":1}' }).cache).toBe("hit");
  expect(pack().sourceCodeHash).toBe(plain.sourceCodeHash);
});

test("the bundle names no absolute path of this machine", () => {
  const p = pack();
  const js = readFileSync(path.join(path.dirname(p.zipPath), "index.js"), "utf8");
  expect(js).not.toContain(root);
  expect(js).not.toContain(ROOT);
});

test("the same root, built in another directory, gives the same zip", () => {
  const first = pack();
  const other = mkdtempSync(path.join(tmpdir(), "trailwatch-pkg-other-"));
  try {
    for (const f of ["package-lock.json", "src/fn/greet.ts", "src/fn/handler.ts"]) {
      mkdirSync(path.dirname(path.join(other, f)), { recursive: true });
      writeFileSync(path.join(other, f), readFileSync(path.join(root, f)));
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(other, "node_modules"), "dir");
    const moved = packageLambda({ entry: "src/fn/handler.ts", root: other });
    expect(moved.sourceCodeHash).toBe(first.sourceCodeHash);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test("zip bytes do not depend on the time zone; entries carry fixed time and mode 0644", () => {
  const script =
    'const { zipPackage } = require("./src/lambda/package");' +
    'process.stdout.write(Buffer.from(zipPackage(Buffer.from("x"), { "a.json": "{}" })).toString("hex"));';
  const inZone = (tz: string) =>
    spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "-e", script], {
      cwd: ROOT,
      env: { ...process.env, TZ: tz },
      encoding: "utf8",
    }).stdout;
  const tokyo = inZone("Asia/Tokyo");
  expect(tokyo).toMatch(/^504b0304/);
  expect(inZone("America/Los_Angeles")).toBe(tokyo);
  expect(Buffer.from(zipPackage(Buffer.from("x"), { "a.json": "{}" })).toString("hex")).toBe(tokyo);

  const zip = Buffer.from(tokyo, "hex");
  // Local file header: DOS time at offset 10, date at 12 (APPNOTE 4.3.7): 12:00:00, 1980-01-01.
  expect(zip.readUInt16LE(10)).toBe(12 << 11);
  expect(zip.readUInt16LE(12)).toBe((0 << 9) | (1 << 5) | 1);
  // Central directory: made by Unix (3), external attributes = regular file 0644.
  const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  expect(zip[cd + 5]).toBe(3);
  expect(zip.readUInt32LE(cd + 38) >>> 16).toBe(0o100644);
});

test("unsafe extra file names are refused", () => {
  for (const name of ["../x.json", "index.js", "a//b", "/abs"])
    expect(() => pack({ [name]: "{}" })).toThrow(/cannot add/);
});

test("old zips are pruned, the newest kept", () => {
  let last = pack();
  for (let i = 0; i < 20; i++) last = pack({ "n.json": String(i) });
  const dir = path.dirname(last.zipPath);
  const zips = readdirSync(dir).filter((f) => f.endsWith(".zip"));
  expect(zips.length).toBe(16);
  expect(zips).toContain(path.basename(last.zipPath));
});
