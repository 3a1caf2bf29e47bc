import { readdirSync } from "node:fs";
import * as path from "node:path";
import { TerraformOutput, TerraformResource, TerraformStack, Testing } from "cdktf";
import { buildApp } from "../src/app";
import { loadConfigFile } from "../src/config/load";
import { TrailwatchStack } from "../src/stacks/trailwatch-stack";
import { ROOT } from "./helpers";

/**
 * TrailwatchStack skips cdktf's preparing resolve pass, whose only job is to turn references to
 * another stack's resources into remote state (src/stacks/trailwatch-stack.ts). Rendered with
 * cdktf's own prepare step, every example must come out exactly the same: no stack references
 * another, so there is nothing that pass would have added.
 */
const CONFIGS = [
  path.join(ROOT, "trailwatch.config.json"),
  ...readdirSync(path.join(ROOT, "examples"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => path.join(ROOT, "examples", f)),
];

function render(file: string, prepare: (stack: TerraformStack) => void): Record<string, string> {
  const { app } = buildApp(loadConfigFile(file), Testing.app().outdir);
  const stacks = app.node.children.filter(TerraformStack.isStack);
  stacks.forEach(prepare);
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.stringify(s.toTerraform())]));
}

describe.each(CONFIGS.map((f) => path.relative(ROOT, f)))("%s", (file) => {
  test("renders the same with cdktf's cross-stack preparation", () => {
    const ours = render(file, (s) => s.prepareStack());
    const cdktfs = render(file, (s) => TerraformStack.prototype.prepareStack.call(s));
    expect(Object.keys(ours).length).toBeGreaterThan(0);
    expect(ours).toEqual(cdktfs);
  });
});

test("every trailwatch stack is a TrailwatchStack (so none runs cdktf's pass by accident)", () => {
  const { app } = buildApp(loadConfigFile(CONFIGS[0]), Testing.app().outdir);
  const stacks = app.node.children.filter(TerraformStack.isStack);
  expect(stacks.length).toBeGreaterThan(1);
  for (const s of stacks) expect(s).toBeInstanceOf(TrailwatchStack);
});

test("a reference to another stack's resource would change the rendering (the check can fail)", () => {
  const build = () => {
    const { app, home, regional } = buildApp(loadConfigFile(CONFIGS[0]), Testing.app().outdir);
    const topic = home.node.findAll().find(TerraformResource.isTerraformResource);
    if (topic === undefined) throw new Error("the home stack has no resource");
    new TerraformOutput(regional[0], "cross-stack", { value: topic.getStringAttribute("arn") });
    return app.node.children.filter(TerraformStack.isStack);
  };
  const render = (stacks: TerraformStack[]) => JSON.stringify(stacks.map((s) => s.toTerraform()));
  const ours = build();
  ours.forEach((s) => s.prepareStack());
  const cdktfs = build();
  cdktfs.forEach((s) => TerraformStack.prototype.prepareStack.call(s));
  const [a, b] = [render(ours), render(cdktfs)];
  expect(b).toContain("terraform_remote_state");
  expect(a === b).toBe(false);
});
