import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { buildApp } from "../src/app";
import { synthesize } from "../src/synth";
import { config, exampleConfigInput, ROOT } from "./helpers";

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "trailwatch-synth-"));
}

/** `npm run synth`'s runner with `config`, on a PATH holding node only (a synth-only CI job). */
function synthWithoutTerraform(config: string) {
  const bin = tempDir();
  symlinkSync(process.execPath, path.join(bin, "node"));
  const dir = tempDir();
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-synth.js")], {
    cwd: dir,
    env: { PATH: bin, TRAILWATCH_CONFIG: config },
    encoding: "utf8",
  });
  return { dir, r };
}

describe("synthesis", () => {
  test("writes cdktf.out/stacks/<stack>/cdk.tf.json for every stack and a manifest", () => {
    const out = path.join(tempDir(), "cdktf.out");
    const stacks = synthesize(config(), out);
    expect(stacks).toContain("trailwatch-ap-northeast-1");
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(stacks);
    for (const s of stacks) {
      const tf = JSON.parse(readFileSync(path.join(out, "stacks", s, "cdk.tf.json"), "utf8"));
      expect(tf.terraform.backend.s3.key).toBe(`trailwatch/${s}.tfstate`);
    }
  });

  test("a failure while rendering leaves the previous output untouched and no staging directory", () => {
    const dir = tempDir();
    const out = path.join(dir, "cdktf.out");
    mkdirSync(out);
    writeFileSync(path.join(out, "previous.txt"), "kept");
    const failing: typeof buildApp = (c, outdir) => {
      const built = buildApp(c, outdir);
      const broken = new TerraformStack(built.app, "broken");
      broken.toTerraform = () => {
        throw new Error("render failed");
      };
      return built;
    };
    expect(() => synthesize(config(), out, failing)).toThrow("render failed");
    expect(readdirSync(out)).toEqual(["previous.txt"]);
    expect(readdirSync(dir)).toEqual(["cdktf.out"]);
  });

  test("main.ts: an invalid configuration exits 1, lists every problem, and writes nothing", () => {
    const dir = tempDir();
    const c = exampleConfigInput() as any;
    c.homeRegion = "ap-northeast-9";
    c.alerts.emails = ["not-an-address"];
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify(c));
    const r = spawnSync(process.execPath, [TSX, path.join(ROOT, "main.ts")], {
      cwd: dir,
      env: { ...process.env, TRAILWATCH_CONFIG: "bad.json", CDKTF_OUTDIR: "" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("bad.json: 2 problems in the configuration:");
    expect(r.stderr).toContain("homeRegion: not an AWS region code; allowed: us-east-1");
    expect(r.stderr).toContain("alerts.emails[0]: not an e-mail address");
    expect(r.stderr).toContain("Nothing was written.");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
    expect(readdirSync(dir)).toEqual(["bad.json"]);
    expect(existsSync(path.join(dir, "cdktf.out"))).toBe(false);
  });

  test("npm run synth's runner (bundled main.ts) renders the committed example with no AWS credentials", () => {
    const dir = tempDir();
    const out = execFileSync(process.execPath, [path.join(ROOT, "scripts", "run-synth.js")], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        TRAILWATCH_CONFIG: path.join(ROOT, "trailwatch.config.json"),
        AWS_CONFIG_FILE: "/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      },
      encoding: "utf8",
    });
    expect(out).toMatch(
      /rendered \d+ stack\(s\) into cdktf\.out\/stacks: trailwatch-ap-northeast-1/,
    );
    // The bundle renders exactly what the TypeScript sources render.
    const direct = path.join(tempDir(), "cdktf.out");
    synthesize(config(), direct);
    for (const stack of ["trailwatch-ap-northeast-1", "trailwatch-us-east-1"])
      expect(
        readFileSync(path.join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"),
      ).toBe(readFileSync(path.join(direct, "stacks", stack, "cdk.tf.json"), "utf8"));
  });

  test("the bundle's V8 code cache: written by a run, used by the next, same rendering (JSON and --hcl)", () => {
    const cache = path.join(ROOT, "dist", "main.js.v8-cache");
    const run = (...args: string[]) => {
      const dir = tempDir();
      const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-synth.js"), ...args], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          TRAILWATCH_CONFIG: path.join(ROOT, "trailwatch.config.json"),
        },
        encoding: "utf8",
      });
      expect(r.stderr).not.toMatch(/Error|ExperimentalWarning/);
      expect(r.status).toBe(0);
      const stack = path.join(dir, "cdktf.out", "stacks", "trailwatch-ap-northeast-1");
      return readFileSync(
        path.join(stack, args.includes("--hcl") ? "main.tf" : "cdk.tf.json"),
        "utf8",
      );
    };
    rmSync(cache, { force: true });
    const cold = run();
    expect(existsSync(cache)).toBe(true);
    expect(run()).toBe(cold);
    // --hcl loads its parser after start-up, from a script compiled from the cache.
    expect(run("--hcl")).toMatch(/^resource "aws_cloudtrail" /m);
  });

  test("renders without a Terraform CLI on PATH (a synth-only CI job), moved blocks included", () => {
    // cdktf's own check for moved blocks would spawn `terraform version` and fail the synth here.
    const { dir, r } = synthWithoutTerraform(path.join(ROOT, "trailwatch.config.json"));
    expect(r.stderr).not.toMatch(/terraform version/);
    expect(r.status).toBe(0);
    const home = JSON.parse(
      readFileSync(
        path.join(dir, "cdktf.out", "stacks", "trailwatch-ap-northeast-1", "cdk.tf.json"),
        "utf8",
      ),
    );
    // The example's e-mail subscriptions carry moved blocks from their 0.1 addresses.
    expect(home.moved.length).toBeGreaterThan(0);
    // What makes Terraform < 1.10 stop at init instead (see BaseStack.hasResourceMove).
    expect(home.terraform.backend.s3.use_lockfile).toBe(true);
  });

  test("adopt mode's import blocks render without a Terraform CLI on PATH too", () => {
    // cdktf's importFrom would add a `terraform version` check per imported resource.
    const { dir, r } = synthWithoutTerraform(path.join(ROOT, "examples", "adopt.json"));
    expect(r.stderr).not.toMatch(/terraform version|Could not determine/);
    expect(r.status).toBe(0);
    const stacks = path.join(dir, "cdktf.out", "stacks");
    const home = readdirSync(stacks)
      .map((s) => JSON.parse(readFileSync(path.join(stacks, s, "cdk.tf.json"), "utf8")))
      .find((j) => j.import !== undefined);
    expect(home.import.map((i: { to: string }) => i.to.split(".")[0]).sort()).toEqual([
      "aws_cloudtrail",
      "aws_cloudwatch_log_group",
      "aws_kms_key",
      "aws_s3_bucket",
    ]);
  });
});

describe("the bundle's V8 code cache (scripts/bundled.js)", () => {
  // V8 checks a cache against the source's length only: a cache of other text of the same length
  // must not run (two overlapping runs around a rebuild could leave one behind).
  const { runWithCodeCache } = jest.requireActual<{
    runWithCodeCache: (file: string, cache: string) => void;
  }>(path.join(ROOT, "scripts", "bundled.js"));
  const run = (bundle: string, cache: string) =>
    execFileSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(path.join(ROOT, "scripts", "bundled.js"))}).runWithCodeCache(process.argv[1], process.argv[2])`,
        bundle,
        cache,
      ],
      { encoding: "utf8" },
    );

  test("a cache made for another bundle of the same length is not used", () => {
    expect(typeof runWithCodeCache).toBe("function");
    const dir = tempDir();
    const bundle = path.join(dir, "main.js");
    const cache = `${bundle}.v8-cache`;
    const write = (text: string) => {
      // As bundled.js writes a rebuild: a new file renamed in.
      writeFileSync(`${bundle}.tmp`, `process.stdout.write(${JSON.stringify(text)});\n`);
      renameSync(`${bundle}.tmp`, bundle);
    };
    write("AAAA");
    expect(run(bundle, cache)).toBe("AAAA");
    expect(existsSync(cache)).toBe(true);
    const old = readFileSync(cache);
    write("BBBB");
    writeFileSync(cache, old); // the old bundle's cache, written back by a run that overlapped
    expect(run(bundle, cache)).toBe("BBBB");
    expect(run(bundle, cache)).toBe("BBBB");
  });

  test("a directory in the cache's place costs only the speed-up, and leaves no file behind", () => {
    const dir = tempDir();
    const bundle = path.join(dir, "main.js");
    writeFileSync(bundle, 'process.stdout.write("ok");\n');
    mkdirSync(`${bundle}.v8-cache`);
    expect(run(bundle, `${bundle}.v8-cache`)).toBe("ok");
    expect(readdirSync(dir).sort()).toEqual(["main.js", "main.js.v8-cache"]);
  });
});
