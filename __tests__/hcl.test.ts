/**
 * HCL output (src/hcl/): strings written as HCL with exactly their JSON value, cdktf's own HCL
 * refused where it is wrong, the synth pipeline (main.tf, manifest, nothing left of the JSON,
 * nothing written on failure), and `npm run synth -- --hcl`. The real Terraform client reads
 * back every awkward string from both renderings. (Plans of the examples: hcl-plan.test.ts.)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, DataResource, Lazy, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { buildApp } from "../src/app";
import { formatHcl } from "../src/hcl/format";
import { heredocFits, heredocHcl, quotedHcl, unchompHeredoc } from "../src/hcl/literal";
import { HclRenderError } from "../src/hcl/render";
import { splitTemplate, TemplateSyntaxError } from "../src/hcl/template";
import { hclDifferences, normalizeTerraform, parseHcl } from "../src/hcl/verify";
import { renderHclStacks, writeHclStacks } from "../src/hcl/write";
import { synthesize, synthesizeHcl } from "../src/synth";
import { outputFormat, UsageError } from "../src/synth-options";
import { TrailwatchStack } from "../src/stacks/trailwatch-stack";
import { config, exampleConfigInput, ROOT } from "./helpers";

/** Strings HCL's quoting, heredocs or cdktf's renderer could get wrong. */
const AWKWARD = [
  "sec${team}@example.com",
  "100%{x}",
  "$${already} and %%{doubled}",
  'quote " and backslash \\ ${x}',
  'a \\"quoted\\" JSON value',
  "back\\slash\\n is not a newline",
  '{"starts": "like an object"}',
  "[starts like a list]",
  '"starts with a quote"',
  "123",
  "true",
  "line one\nline two",
  "ends with a newline\n",
  "two newlines\n\n",
  "EOT\nEOF\n  EOT  \nEOT1",
  "tab\there",
  "carriage\r\nreturn",
  "control \u0001 character",
  "ünïcode ✓ and emoji 🚀",
  "",
  " leading and trailing spaces ",
];

const TEMP: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "trailwatch-hcl-"));
  TEMP.push(d);
  return d;
};
afterAll(() => TEMP.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("templates and HCL string literals", () => {
  test("splitTemplate keeps sequences whole (nested braces and strings) and escapes in the text", () => {
    expect(splitTemplate('a ${lookup(m, "}")} b $${c} %{ if x }y%{ endif }')).toEqual([
      { kind: "literal", text: "a " },
      { kind: "sequence", text: '${lookup(m, "}")}' },
      { kind: "literal", text: " b $${c} " },
      { kind: "sequence", text: "%{ if x }" },
      { kind: "literal", text: "y" },
      { kind: "sequence", text: "%{ endif }" },
    ]);
    expect(splitTemplate("$$${x}")).toEqual([{ kind: "literal", text: "$$${x}" }]);
    expect(() => splitTemplate("a ${b")).toThrow(TemplateSyntaxError);
    expect(() => splitTemplate('${f("x}')).toThrow(TemplateSyntaxError);
  });

  test("quotedHcl escapes the literal text only", () => {
    expect(quotedHcl('say "hi" \\ ${aws_s3_bucket.b["k"].arn}\n')).toBe(
      '"say \\"hi\\" \\\\ ${aws_s3_bucket.b["k"].arn}\\n"',
    );
    expect(quotedHcl("tab\tcr\rctl\u0001 $${x}")).toBe('"tab\\tcr\\rctl\\u0001 $${x}"');
  });

  test("heredocs keep the exact value: chomp without a final newline, a delimiter no line uses", () => {
    expect(heredocHcl("a\nb\n")).toBe("<<EOT\na\nb\nEOT\n");
    expect(heredocHcl("a\nb")).toBe("chomp(<<EOT\na\nb\nEOT\n)\n");
    expect(heredocHcl("EOT\n  EOT1 \nx")).toBe("chomp(<<EOT2\nEOT\n  EOT1 \nx\nEOT2\n)\n");
    expect(unchompHeredoc("${chomp(<<EOT\na\nb\nEOT\n  )}")).toBe("a\nb");
    expect(unchompHeredoc("${chomp(x)}")).toBeUndefined();
    expect(heredocFits("one line")).toBe(false);
    expect(heredocFits("a\r\nb")).toBe(false);
    expect(heredocFits("a\n\u0001")).toBe(false);
    expect(heredocFits("a\n\tb")).toBe(true);
  });
});

describe("the output format switch", () => {
  test("--hcl / --json, then cdktf's SYNTH_HCL_OUTPUT, then output.format", () => {
    expect(outputFormat([], {}, "json")).toBe("json");
    expect(outputFormat([], {}, "hcl")).toBe("hcl");
    expect(outputFormat([], { SYNTH_HCL_OUTPUT: "true" }, "json")).toBe("hcl");
    expect(outputFormat(["--json"], { SYNTH_HCL_OUTPUT: "true" }, "hcl")).toBe("json");
    expect(outputFormat(["--hcl"], {}, "json")).toBe("hcl");
    expect(() => outputFormat(["--hcl", "--json"], {}, "json")).toThrow(
      new UsageError("--hcl and --json exclude each other"),
    );
    expect(() => outputFormat(["--yaml"], {}, "json")).toThrow(UsageError);
  });

  test("output.format accepts json and hcl only", () => {
    const input: any = exampleConfigInput();
    input.output = { format: "yaml" };
    expect(() => config(input)).toThrow(/output\.format: .*"json".*"hcl"/);
  });
});

/** A stack of outputs: each awkward string alone, between references, as a map key, in a policy. */
function awkwardStack(app: App): TerraformStack {
  const stack = new TrailwatchStack(app, "awkward");
  const d = new DataResource(stack, "d", { input: { k: "IN" } });
  const ref = d.getStringAttribute("input.k");
  AWKWARD.forEach((s, i) => {
    new TerraformOutput(stack, `s${i}`, { value: s });
    new TerraformOutput(stack, `r${i}`, { value: `${ref}${s}${ref}` });
  });
  new TerraformOutput(stack, "map", {
    value: Object.fromEntries(AWKWARD.map((s, i) => [`key ${i} ${s}`, s])),
  });
  // The shape cdktf 0.21 gets wrong: a JSON document holding a reference and quotes.
  new TerraformOutput(stack, "policy", {
    value: JSON.stringify({ Resource: ref, Note: 'say "hi" \\ ${x}' }, null, 2),
  });
  new TerraformOutput(stack, "pattern", {
    value: JSON.stringify({ detail: { keyId: [ref, "alias/x"] } }),
  });
  return stack;
}

const awkwardExpected = (): Record<string, unknown> => ({
  ...Object.fromEntries(
    AWKWARD.flatMap((s, i) => [
      [`s${i}`, s],
      [`r${i}`, `IN${s}IN`],
    ]),
  ),
  map: Object.fromEntries(AWKWARD.map((s, i) => [`key ${i} ${s}`, s])),
  policy: JSON.stringify({ Resource: "IN", Note: 'say "hi" \\ ${x}' }, null, 2),
  pattern: JSON.stringify({ detail: { keyId: ["IN", "alias/x"] } }),
});

/** `terraform plan` of a stack that needs no provider download (outputs, terraform_data). */
function planOutputs(workdir: string): Record<string, unknown> {
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: "/dev/null",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
  const run = (...args: string[]) =>
    execFileSync("terraform", args, { cwd: workdir, env, encoding: "utf8", stdio: "pipe" });
  run("init", "-no-color");
  run("plan", "-no-color", "-out=plan.bin");
  const plan = JSON.parse(run("show", "-json", "plan.bin"));
  return Object.fromEntries(
    Object.entries<{ after: unknown }>(plan.output_changes).map(([k, v]) => [k, v.after]),
  );
}

describe("the real Terraform client reads back every string from the HCL as from the JSON", () => {
  let out: string;
  let stack: TerraformStack;
  beforeAll(async () => {
    out = path.join(tempDir(), "cdktf.out");
    const app = new App({ outdir: out });
    stack = awkwardStack(app);
    app.synth();
    const json = path.join(out, "stacks", "awkward");
    execFileSync("cp", ["-r", json, path.join(out, "json-copy")]);
    await writeHclStacks(out, renderHclStacks(out, [stack]));
  });

  test("the stack directory holds main.tf and metadata.json, no cdk.tf.json; the manifest names main.tf", () => {
    const dir = path.join(out, "stacks", "awkward");
    expect(readdirSync(dir).sort()).toEqual(["main.tf", "metadata.json"]);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.stacks.awkward).toMatchObject({
      synthesizedStackPath: "stacks/awkward/main.tf",
      stackMetadataPath: "stacks/awkward/metadata.json",
    });
    // metadata.json holds the stack's own values (its terraform block as the JSON rendering has
    // it), none of the placeholders the HCL strings were written through.
    const metadata = readFileSync(path.join(dir, "metadata.json"), "utf8");
    expect(metadata).not.toMatch(/__tw[0-9a-f]{8}/);
    const json = JSON.parse(readFileSync(path.join(out, "json-copy", "cdk.tf.json"), "utf8"));
    expect(JSON.parse(metadata).terraform).toEqual(json.terraform);
  });

  test("policies read as heredocs, references stay references", () => {
    const hcl = readFileSync(path.join(out, "stacks", "awkward", "main.tf"), "utf8");
    expect(hcl).toContain(
      'value = chomp(<<EOT\n{\n  "Resource": "${terraform_data.d.input.k}",\n  "Note": "say \\"hi\\" \\\\ $${x}"\n}\nEOT\n  )',
    );
    expect(hcl).toContain(
      'value = "{\\"detail\\":{\\"keyId\\":[\\"${terraform_data.d.input.k}\\",\\"alias/x\\"]}}"',
    );
  });

  test("HCL: terraform plan's outputs are exactly the configured strings", () => {
    expect(planOutputs(path.join(out, "stacks", "awkward"))).toEqual(awkwardExpected());
  }, 120_000);

  test("JSON: the same", () => {
    expect(planOutputs(path.join(out, "json-copy"))).toEqual(awkwardExpected());
  }, 120_000);
});

describe("HCL that would not mean what the JSON means is refused", () => {
  /** cdktf's own HCL for `stack`, without trailwatch's strings. */
  const cdktfHcl = (stack: TerraformStack) =>
    TerraformStack.prototype.toHclTerraform.call(stack).hcl;

  test("cdktf's own HCL of a reference inside a JSON string: Terraform rejects it, so fmt refuses", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const key = new KmsKey(stack, "k", {});
    new CloudwatchEventRule(stack, "r", {
      eventPattern: JSON.stringify({ detail: { keyId: [key.arn] } }),
    });
    expect(() => formatHcl(cdktfHcl(stack), "s")).toThrow(
      /Terraform rejects the HCL rendered for s, so it was not written:\n.*Missing newline after argument/s,
    );
    // trailwatch's own rendering of the same stack is accepted.
    const ours = new TrailwatchStack(Testing.app(), "t");
    const k2 = new KmsKey(ours, "k", {});
    new CloudwatchEventRule(ours, "r", {
      eventPattern: JSON.stringify({ detail: { keyId: [k2.arn] } }),
    });
    expect(formatHcl(ours.toHclTerraform().hcl, "t")).toContain(
      'event_pattern = "{\\"detail\\":{\\"keyId\\":[\\"${aws_kms_key.k.arn}\\"]}}"',
    );
  });

  test("cdktf's own HCL that Terraform accepts but reads differently is caught by the comparison", async () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new TerraformOutput(stack, "o", { value: 'a \\"b\\" [c]' });
    new TerraformOutput(stack, "p", { value: "[1]" });
    const json = JSON.parse(Testing.synth(stack));
    const found = await hclDifferences(json, formatHcl(cdktfHcl(stack), "s"));
    // The backslashes are lost, and a string that starts with "[" became a list expression.
    expect(found).toEqual([
      'output.o.value: JSON "a \\\\\\"b\\\\\\" [c]" | HCL "a \\"b\\" [c]"',
      'output.p.value: JSON "[1]" | HCL ["1"]',
    ]);
  });

  test("normalization: blocks as arrays, bare references, chomped heredocs, numbers as text", () => {
    expect(
      normalizeTerraform({
        resource: { t: { n: [{ depends_on: ["${a.b}"], n: 5, "//": { x: 1 } }] } },
        moved: [{ from: "${a.b}", to: "${a.c}" }],
        output: { o: [{ value: "${chomp(<<EOT\nx\ny\nEOT\n  )}" }] },
      }),
    ).toEqual({
      resource: { t: { n: { depends_on: ["a.b"], n: "5" } } },
      moved: { from: "a.b", to: "a.c" },
      output: { o: { value: "x\ny" } },
    });
  });

  test("a string Terraform could not parse (unterminated ${ from a token) is refused and nothing is written", async () => {
    const dir = tempDir();
    const out = path.join(dir, "cdktf.out");
    mkdirSync(out);
    writeFileSync(path.join(out, "previous.txt"), "kept");
    const broken: typeof buildApp = (c, outdir) => {
      const built = buildApp(c, outdir);
      new TerraformOutput(built.home, "broken", {
        value: Lazy.stringValue({ produce: () => "${unterminated" }),
      });
      return built;
    };
    await expect(synthesizeHcl(config(), out, broken)).rejects.toThrow(
      /unterminated template sequence at character 0 of "\$\{unterminated"/,
    );
    expect(readdirSync(out)).toEqual(["previous.txt"]);
    expect(readdirSync(dir)).toEqual(["cdktf.out"]);
  });

  test("without the Terraform CLI, HCL output says what it needs", () => {
    expect(() => formatHcl("x = 1\n", "s", "/nonexistent/terraform")).toThrow(HclRenderError);
    expect(() => formatHcl("x = 1\n", "s", "/nonexistent/terraform")).toThrow(
      /HCL output needs the Terraform CLI .* install Terraform >= 1\.5 or render JSON \(the default\)/,
    );
  });
});

describe("synthesizeHcl on the example configuration", () => {
  let out: string;
  let stacks: string[];
  beforeAll(async () => {
    out = path.join(tempDir(), "cdktf.out");
    stacks = await synthesizeHcl(config(), out);
  }, 120_000);

  test("every stack is main.tf (+ metadata.json), formatted, with the JSON rendering's resources", async () => {
    const json = path.join(tempDir(), "cdktf.out");
    expect(synthesize(config(), json)).toEqual(stacks);
    for (const s of stacks) {
      const dir = path.join(out, "stacks", s);
      // The Lambda packages (cdktf assets) stay beside the stack file, as with JSON.
      const files = readdirSync(dir).filter((f) => f !== "assets");
      expect(files.sort()).toEqual(["main.tf", "metadata.json"]);
      const hcl = readFileSync(path.join(dir, "main.tf"), "utf8");
      expect(formatHcl(hcl, s)).toBe(hcl); // already in terraform fmt's layout
      const parsed = (await parseHcl("main.tf", hcl)) as any;
      const rendered = JSON.parse(
        readFileSync(path.join(json, "stacks", s, "cdk.tf.json"), "utf8"),
      );
      const addresses = (doc: any) =>
        Object.entries<Record<string, unknown>>(doc.resource)
          .flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`))
          .sort();
      expect(addresses(parsed)).toEqual(addresses(rendered));
      expect(addresses(parsed).length).toBeGreaterThan(10);
      expect(await hclDifferences(rendered, hcl)).toEqual([]);
    }
  });

  test("watcher-trail-key-changed: references inside the JSON-encoded event pattern are escaped template sequences", () => {
    // cdktf 0.21 writes this string unescaped (event_pattern = "{"detail-type":...), which
    // Terraform rejects; the plan test (hcl-plan.test.ts) plans it equal to the JSON's.
    const home = stacks.find((s) => s.endsWith(config().homeRegion))!;
    const hcl = readFileSync(path.join(out, "stacks", home, "main.tf"), "utf8");
    const patterns = hcl.match(/^ {2}event_pattern = .*kms\.amazonaws\.com.*$/gm) ?? [];
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatch(
      /^ {2}event_pattern = "\{\\"detail-type\\":\[\\"AWS API Call via CloudTrail\\"\],.*\\"keyId\\":\[\\"\$\{aws_kms_key\.[\w-]+\.key_id\}\\",\\"\$\{aws_kms_key\.[\w-]+\.arn\}\\",\\"alias\/[\w-]+\\"\]\}\}\}"$/,
    );
  });

  test("no quoted references: depends_on and moved addresses are bare", () => {
    const hcl = readFileSync(path.join(out, "stacks", stacks[0], "main.tf"), "utf8");
    expect(hcl).toMatch(/depends_on = \[\n\s+aws_s3_bucket_versioning\.[\w-]+,/);
    expect(hcl).toMatch(
      /moved \{\n\s+to\s+= aws_sns_topic_subscription\.[\w-]+\n\s+from = aws_sns_topic_subscription\.[\w-]+\n/,
    );
    expect(hcl).not.toMatch(/depends_on = \[\n\s+"/);
  });
});

describe("npm run synth -- --hcl", () => {
  const RUN_SYNTH = path.join(ROOT, "scripts", "run-synth.js");
  const env = (cfg: string) => ({
    PATH: process.env.PATH,
    TRAILWATCH_CONFIG: cfg,
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  });

  test('--hcl writes main.tf; --json overrides output.format "hcl"', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [RUN_SYNTH, "--hcl"], {
      cwd: dir,
      env: env(path.join(ROOT, "trailwatch.config.json")),
      encoding: "utf8",
    });
    expect(r.stdout).toMatch(/rendered 2 stack\(s\) as HCL \(main\.tf\) into cdktf\.out\/stacks: /);
    expect(r.status).toBe(0);
    for (const s of ["trailwatch-ap-northeast-1", "trailwatch-us-east-1"])
      expect(
        readdirSync(path.join(dir, "cdktf.out", "stacks", s))
          .filter((f) => f !== "assets")
          .sort(),
      ).toEqual(["main.tf", "metadata.json"]);
    // output.format "hcl" on its own is outputFormat's choice (tested above); here, --json wins.
    const input: any = exampleConfigInput();
    input.output = { format: "hcl" };
    writeFileSync(path.join(dir, "hcl.json"), JSON.stringify(input));
    const viaFlag = spawnSync(process.execPath, [RUN_SYNTH, "--json"], {
      cwd: dir,
      env: env("hcl.json"),
      encoding: "utf8",
    });
    expect(viaFlag.status).toBe(0);
    expect(readdirSync(path.join(dir, "cdktf.out", "stacks", "trailwatch-us-east-1"))).toEqual([
      "cdk.tf.json",
    ]);
  }, 120_000);

  test("an unknown option exits 2 with the usage, and writes nothing", () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [RUN_SYNTH, "--yaml"], {
      cwd: dir,
      env: env(path.join(ROOT, "trailwatch.config.json")),
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("synth: Unknown option '--yaml'");
    expect(r.stderr).toContain("usage: npm run synth [-- --hcl | --json]");
    expect(readdirSync(dir)).toEqual([]);
  });
});
