import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expandEnv, readCliConfigMirrors } from "../../src/validate/cli-config";
import {
  chooseProvider,
  compareVersions,
  impliedMirrorDirs,
  searchAwsProvider,
  terraformTarget,
  type ProviderPackage,
} from "../../src/validate/mirror";

/**
 * Finding the AWS provider on disk. The mirrors here are directory layouts with empty files in
 * place of provider binaries: only discovery is tested; the real provider runs in plan.test.ts.
 */
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "trailwatch-mirror-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const AWS = ["registry.terraform.io", "hashicorp", "aws"];

/** `<mirror>/registry.terraform.io/hashicorp/aws/<version>/<target>/terraform-provider-aws_v<version>_x5` */
function unpacked(mirror: string, version: string, target = "linux_amd64"): string {
  const dir = path.join(mirror, ...AWS, version, target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `terraform-provider-aws_v${version}_x5`), "");
  return dir;
}

/** `<mirror>/registry.terraform.io/hashicorp/aws/terraform-provider-aws_<version>_<target>.zip` */
function packed(mirror: string, version: string, target = "linux_amd64"): string {
  const dir = path.join(mirror, ...AWS);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `terraform-provider-aws_${version}_${target}.zip`);
  writeFileSync(file, "");
  return file;
}

/** An environment with nothing of this machine's in it: home, XDG and CLI config inside `root`. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: path.join(root, "home"),
    XDG_DATA_HOME: path.join(root, "xdg-home"),
    XDG_DATA_DIRS: path.join(root, "xdg-a") + ":" + path.join(root, "xdg-b"),
    TF_CLI_CONFIG_FILE: path.join(root, "absent.tfrc"),
    ...extra,
  };
}

describe("terraformTarget", () => {
  test("Terraform's platform names", () => {
    expect(terraformTarget("linux", "x64")).toBe("linux_amd64");
    expect(terraformTarget("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformTarget("win32", "x64")).toBe("windows_amd64");
    expect(terraformTarget("linux", "ia32")).toBe("linux_386");
  });
});

describe("searchAwsProvider", () => {
  test("--plugin-dir: only the given directories, both layouts, this platform only", async () => {
    const a = path.join(root, "a");
    const dirA = unpacked(a, "5.100.0");
    unpacked(a, "5.99.0", "darwin_arm64");
    const zip = packed(path.join(root, "b"), "6.25.0");
    mkdirSync(path.join(root, "empty"));
    const s = await searchAwsProvider({
      pluginDirs: [a, path.join(root, "b"), path.join(root, "empty")],
      env: env(),
      target: "linux_amd64",
    });
    expect(s.candidates.map((c) => c.foundBy)).toEqual([
      "--plugin-dir",
      "--plugin-dir",
      "--plugin-dir",
    ]);
    expect(s.packages).toEqual([
      {
        mirror: a,
        foundBy: "--plugin-dir",
        version: "5.100.0",
        target: "linux_amd64",
        layout: "unpacked",
        location: dirA,
      },
      {
        mirror: path.join(root, "b"),
        foundBy: "--plugin-dir",
        version: "6.25.0",
        target: "linux_amd64",
        layout: "packed",
        location: zip,
      },
    ]);
  });

  test("a version directory without a provider binary is not a package", async () => {
    mkdirSync(path.join(root, "m", ...AWS, "5.1.0", "linux_amd64"), { recursive: true });
    const s = await searchAwsProvider({
      pluginDirs: [path.join(root, "m")],
      env: env(),
      target: "linux_amd64",
    });
    expect(s.packages).toEqual([]);
  });

  test("implied local mirror directories, the plugin cache and the CLI configuration's mirrors are searched, in Terraform's order", async () => {
    const mirror = path.join(root, "configured");
    unpacked(mirror, "6.25.0");
    unpacked(path.join(root, "home", ".terraform.d", "plugins"), "5.90.0");
    unpacked(path.join(root, "xdg-b", "terraform", "plugins"), "5.80.0");
    unpacked(path.join(root, "cache"), "6.0.0");
    const rc = path.join(root, "cli.tfrc");
    writeFileSync(
      rc,
      `plugin_cache_dir = "$CACHE_ROOT/cache"\nprovider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
    );
    const s = await searchAwsProvider({
      env: env({ TF_CLI_CONFIG_FILE: rc, CACHE_ROOT: root }),
      cwd: root,
      target: "linux_amd64",
      wellKnownMirrors: [path.join(root, "well-known")],
    });
    expect(s.cliConfigFiles).toEqual([{ file: rc }]);
    expect(s.packages.map((p) => [p.version, p.foundBy])).toEqual([
      ["6.25.0", `filesystem_mirror in ${rc}`],
      ["6.0.0", "plugin_cache_dir"],
      ["5.90.0", "implied local mirror directory"],
      ["5.80.0", "implied local mirror directory"],
    ]);
    expect(s.candidates.map((c) => c.dir)).toEqual(
      [
        "configured",
        "cache",
        "well-known",
        "terraform.d/plugins",
        "home/.terraform.d/plugins",
        "xdg-home/terraform/plugins",
        "xdg-a/terraform/plugins",
        "xdg-b/terraform/plugins",
      ].map((d) => path.join(root, d)),
    );
  });

  test("TF_PLUGIN_CACHE_DIR wins over plugin_cache_dir; a missing or broken CLI configuration is reported, not fatal", async () => {
    unpacked(path.join(root, "envcache"), "6.1.0");
    const broken = path.join(root, "broken.tfrc");
    writeFileSync(broken, "provider_installation {\n  filesystem_mirror {\n");
    const s = await searchAwsProvider({
      env: env({ TF_CLI_CONFIG_FILE: broken, TF_PLUGIN_CACHE_DIR: path.join(root, "envcache") }),
      cwd: root,
      target: "linux_amd64",
      wellKnownMirrors: [path.join(root, "well-known")],
    });
    expect(s.cliConfigFiles[0].file).toBe(broken);
    expect(s.cliConfigFiles[0].problem).toMatch(/^cannot be parsed: /);
    expect(s.packages.map((p) => [p.version, p.foundBy])).toEqual([
      ["6.1.0", "TF_PLUGIN_CACHE_DIR"],
    ]);
    const absent = await readCliConfigMirrors(env());
    expect(absent.files[0]).toEqual({
      file: path.join(root, "absent.tfrc"),
      problem: "does not exist",
    });
    expect(absent.filesystemMirrors).toEqual([]);
  });
});

describe("impliedMirrorDirs", () => {
  test("Unix: ./terraform.d/plugins, ~/.terraform.d/plugins, then XDG data home and data dirs", () => {
    expect(impliedMirrorDirs({ HOME: "/h" }, "/work", "linux")).toEqual([
      "/work/terraform.d/plugins",
      "/h/.terraform.d/plugins",
      "/h/.local/share/terraform/plugins",
      "/usr/local/share/terraform/plugins",
      "/usr/share/terraform/plugins",
    ]);
  });

  test("macOS: Application Support io.terraform", () => {
    expect(impliedMirrorDirs({ HOME: "/Users/u" }, "/w", "darwin").slice(2)).toEqual([
      "/Users/u/Library/Application Support/io.terraform/plugins",
      "/Library/Application Support/io.terraform/plugins",
    ]);
  });
});

describe("chooseProvider", () => {
  const pkg = (version: string): ProviderPackage => ({
    mirror: "/m",
    foundBy: "test",
    version,
    target: "linux_amd64",
    layout: "unpacked",
    location: `/m/${version}`,
  });

  test("the pinned version when a mirror has it", () => {
    const c = chooseProvider([pkg("6.30.0"), pkg("6.25.0")], "6.25.0")!;
    expect(c.provider.version).toBe("6.25.0");
    expect(c.reason).toBe("the version the stacks pin");
  });

  test("else the newest release of the pinned major version", () => {
    const c = chooseProvider(
      [pkg("5.100.0"), pkg("6.2.0"), pkg("6.10.0"), pkg("7.0.0")],
      "6.25.0",
    )!;
    expect(c.provider.version).toBe("6.10.0");
    expect(c.reason).toBe("no mirror has 6.25.0, the version the stacks pin; the newest 6.x found");
  });

  test("else the newest release of any version, saying so; pre-releases only when nothing else exists", () => {
    const c = chooseProvider([pkg("5.9.0"), pkg("5.100.0"), pkg("5.101.0-beta1")], "6.25.0")!;
    expect(c.provider.version).toBe("5.100.0");
    expect(c.reason).toBe(
      "no mirror has 6.25.0, the version the stacks pin, nor any 6.x; the newest version found",
    );
    expect(
      chooseProvider([pkg("6.0.0-beta2"), pkg("6.0.0-beta10")], "6.25.0")!.provider.version,
    ).toBe("6.0.0-beta2");
    expect(chooseProvider([], "6.25.0")).toBeUndefined();
  });

  test("semantic version order", () => {
    expect(["5.100.0", "5.9.0", "6.0.0-rc1", "6.0.0", "5.100.1"].sort(compareVersions)).toEqual([
      "5.9.0",
      "5.100.0",
      "5.100.1",
      "6.0.0-rc1",
      "6.0.0",
    ]);
  });
});

test("expandEnv expands $VAR and ${VAR} like Go's os.ExpandEnv", () => {
  expect(expandEnv("$HOME/.terraform.d/${SUB}/x$MISSING", { HOME: "/h", SUB: "cache" })).toBe(
    "/h/.terraform.d/cache/x",
  );
});
