import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TrailwatchStack } from "../src/stacks/trailwatch-stack";
import { escapeLiterals, terraformLiteral } from "../src/terraform/literals";
import { build, exampleConfigInput, resourcesOf, synthJson, type TerraformJson } from "./helpers";

/** Strings Terraform's template parser would misread unless escaped, and some it reads as is. */
const AWKWARD = [
  "sec${team}@example.com",
  "100%{x}",
  "%{ if true }yes%{ endif }",
  "$${already} and %%{doubled}",
  "$$${x}",
  "a$",
  "100%",
  "${",
  "%{",
  "}{$%",
  "$.eventName = ${x",
  "line one\nline two ${x}",
  'quote " and backslash \\ ${x}',
];

describe("terraformLiteral", () => {
  test("doubles ${ and %{, keeps cdktf tokens and lone $ or %", () => {
    expect(terraformLiteral("a ${x} %{if} b")).toBe("a $${x} %%{if} b");
    expect(terraformLiteral("k='${TfToken[TOKEN.12]}' ${y}")).toBe(
      "k='${TfToken[TOKEN.12]}' $${y}",
    );
    expect(terraformLiteral("no templates: $.a 100% {x}")).toBe("no templates: $.a 100% {x}");
    expect(terraformLiteral("$${x}")).toBe("$$${x}");
  });

  test("escapeLiterals walks values and keys of plain objects and arrays only", () => {
    const token = { resolve: () => "${aws_x.y.id}" };
    expect(escapeLiterals({ "k${a}": ["${b}", 1, true, null, { c: "%{d}" }], t: token })).toEqual({
      "k$${a}": ["$${b}", 1, true, null, { c: "%%{d}" }],
      t: token,
    });
  });

  test("escapeLiterals never modifies its input, and copies only what it escaped", () => {
    const clean = { a: ["x", { b: "y" }], c: 1 };
    expect(escapeLiterals(clean)).toBe(clean);
    const input = { keep: { b: "y" }, list: ["x", "${z}"] };
    const frozen = JSON.stringify(input);
    const out = escapeLiterals(input) as typeof input;
    expect(JSON.stringify(input)).toBe(frozen);
    expect(out).not.toBe(input);
    expect(out.keep).toBe(input.keep);
    expect(out.list).toEqual(["x", "$${z}"]);
    expect(escapeLiterals({ a: undefined, b: { c: undefined, d: 1 } })).toEqual({ b: { d: 1 } });
    expect(Object.keys(escapeLiterals({ a: undefined, b: 2 }) as object)).toEqual(["b"]);
  });
});

describe("the real Terraform client reads back exactly the configured text", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "trailwatch-literals-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `terraform plan` (no provider needed for outputs) and the planned output values. */
  function planOutputs(workdir: string): Record<string, unknown> {
    const cli = path.join(dir, "terraform.rc");
    writeFileSync(cli, "");
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cli, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
    const run = (...args: string[]) =>
      execFileSync("terraform", args, { cwd: workdir, env, encoding: "utf8", stdio: "pipe" });
    run("init", "-no-color"); // local state, no provider: nothing is downloaded
    run("plan", "-no-color", "-out=plan.bin");
    const plan = JSON.parse(run("show", "-json", "plan.bin"));
    return Object.fromEntries(
      Object.entries<{ after: unknown }>(plan.output_changes).map(([k, v]) => [k, v.after]),
    );
  }

  function outputsStack(app: App) {
    const stack = new TrailwatchStack(app, "literals");
    AWKWARD.forEach((s, i) => new TerraformOutput(stack, `s${i}`, { value: s }));
    new TerraformOutput(stack, "map", {
      value: Object.fromEntries(AWKWARD.map((s) => [`key ${s}`, s])),
    });
    return stack;
  }

  test("JSON output (what synth writes)", () => {
    const app = new App({ outdir: path.join(dir, "json") });
    const stack = outputsStack(app);
    app.synth();
    const planned = planOutputs(path.join(dir, "json", "stacks", stack.node.id));
    AWKWARD.forEach((s, i) => expect(planned[`s${i}`]).toBe(s));
    expect(planned.map).toEqual(Object.fromEntries(AWKWARD.map((s) => [`key ${s}`, s])));
  });

  test("rendering twice escapes once", () => {
    const stack = outputsStack(Testing.app());
    expect(Testing.synth(stack)).toBe(Testing.synth(stack));
    expect(JSON.parse(Testing.synth(stack)).output.s0.value).toBe("sec$${team}@example.com");
  });
});

describe("configured strings in the rendered stacks", () => {
  const input: any = exampleConfigInput();
  input.alerts.emails = ["sec${team}@example.com", "ops%{x}@example.com"];
  input.trail.s3DataEvents = [
    { bucket: "arn:aws:s3:::customer-data/${tenant}/", readWrite: "All" },
  ];
  const { home } = build(input);
  const json = synthJson(home);

  test("e-mail addresses and data-event prefixes are escaped where they are rendered", () => {
    expect(
      resourcesOf(json, "aws_sns_topic_subscription")
        .map((s) => s.endpoint)
        .sort(),
    ).toEqual(["ops%%{x}@example.com", "sec$${team}@example.com"]);
    expect(
      JSON.stringify(resourcesOf(json, "aws_cloudtrail")[0].advanced_event_selector),
    ).toContain('"arn:aws:s3:::customer-data/$${tenant}/"');
  });

  test("every ${ left in the JSON is a reference cdktf wrote, every %{ is escaped", () => {
    for (const s of stringsOf(json)) {
      for (const m of s.matchAll(/(?<!\$)(?:\$\$)*\$\{([^}]*)\}/g))
        expect(m[1]).toMatch(
          /^(aws_[a-z0-9_]+|data\.aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+(\.[a-z0-9_.[\]"*]+)?$/,
        );
      expect(s.replace(/%%\{/g, "")).not.toContain("%{");
    }
  });

  test("a subscription built outside the stack base is not escaped (why every stack extends it)", () => {
    const app = Testing.app();
    const plain = new TerraformStack(app, "plain");
    const topic = new SnsTopic(plain, "t", { name: "t" });
    new SnsTopicSubscription(plain, "s", {
      topicArn: topic.arn,
      protocol: "email",
      endpoint: "sec${team}@example.com",
    });
    expect(JSON.parse(Testing.synth(plain)).resource.aws_sns_topic_subscription.s.endpoint).toBe(
      "sec${team}@example.com",
    );
  });
});

/** Every string value and key in a synthesized stack. */
function stringsOf(json: TerraformJson | unknown): string[] {
  if (typeof json === "string") return [json];
  if (Array.isArray(json)) return json.flatMap(stringsOf);
  if (json && typeof json === "object")
    return Object.entries(json).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}
