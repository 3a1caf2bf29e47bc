import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesize, synthesizeHcl } from "../../src/synth";
import { planStackDirs, plannedResources, type StackPlan } from "../../src/validate";
import { searchMirrors } from "../../src/validate/mirror";
import { formatStack } from "../../src/validate/cli";
import { config } from "../helpers";

/**
 * The real Terraform CLI and the real hashicorp/aws provider on rendered stacks (no fake:
 * `terraform` from PATH, the provider from a filesystem mirror). Skipped only when this machine has
 * no provider in a mirror; `.ci/run` runs `npm run validate` regardless, which then fails.
 */
const search = searchMirrors(undefined);
const available = search.packages.length > 0;
const describeTerraform = available ? describe : describe.skip;
if (!available)
  console.warn(
    `plan.test.ts SKIPPED: no hashicorp/aws provider in ${search.candidates.map((c) => c.dir).join(", ")}`,
  );

describeTerraform(
  available
    ? "terraform init, validate and plan on rendered stacks"
    : "SKIPPED: no hashicorp/aws provider in a filesystem mirror on this machine",
  () => {
    let root: string;
    let work: string;
    let home: StackPlan, rejected: StackPlan, uninstallable: StackPlan;
    let rendered: Record<string, any>;
    // Strings Terraform would read as templates unless trailwatch escapes them (issue 10 fault 2).
    const c = config({
      alerts: {
        emails: ["security-alerts@example.com", "sec${team}@example.com", "ops%{x}@example.com"],
      },
      trail: {
        s3DataEvents: [{ bucket: "arn:aws:s3:::customer-data/${tenant}/", readWrite: "All" }],
      },
    });

    beforeAll(async () => {
      root = mkdtempSync(path.join(tmpdir(), "trailwatch-plan-test-"));
      const out = path.join(root, "cdktf.out");
      synthesize(c, out);
      const homeDir = path.join(out, "stacks", "trailwatch-ap-northeast-1");
      rendered = JSON.parse(readFileSync(path.join(homeDir, "cdk.tf.json"), "utf8"));
      // Two stacks Terraform must refuse, made from the rendered us-east-1 stack.
      const east = JSON.parse(
        readFileSync(path.join(out, "stacks", "trailwatch-us-east-1", "cdk.tf.json"), "utf8"),
      );
      const [roleId] = Object.keys(east.resource.aws_iam_role);
      const bad = structuredClone(east);
      bad.resource.aws_iam_role[roleId].colour = "red";
      const noProvider = structuredClone(east);
      noProvider.terraform.required_providers.random = {
        source: "hashicorp/random",
        version: "3.6.0",
      };
      const dirs = [homeDir];
      for (const [name, json] of [
        ["rejected", bad],
        ["uninstallable", noProvider],
      ] as const) {
        const dir = path.join(root, "broken", name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(json));
        dirs.push(dir);
      }
      work = path.join(root, "work");
      mkdirSync(work);
      [home, rejected, uninstallable] = await planStackDirs(dirs, { tempParent: work, jobs: 2 });
    }, 900_000);

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test("the home stack validates and plans exactly the resources rendered, all new", () => {
      expect(home.errors).toEqual([]);
      expect(home.ok).toBe(true);
      expect(home.validate).toEqual(expect.objectContaining({ valid: true, errorCount: 0 }));
      const renderedCount = Object.values(rendered.resource).reduce(
        (n: number, byName) => n + Object.keys(byName as object).length,
        0,
      );
      expect(renderedCount).toBeGreaterThan(100);
      expect(home.counts).toEqual({ add: renderedCount, change: 0, destroy: 0 });
      expect(search.packages.map((p) => p.version)).toContain(home.providerVersion);
      expect(home.pinnedVersion).toBe("6.25.0");
    });

    test("planned values are what the configuration says, as Terraform parsed them", () => {
      const subscriptions = plannedResources(home.plan!, "aws_sns_topic_subscription");
      // Exactly what was written: `${` and `%{` reach AWS as typed, not as template syntax.
      expect(subscriptions.map((r) => r.values.endpoint).sort()).toEqual(
        [...c.alerts.emails].sort(),
      );
      expect(subscriptions.map((r) => r.values.protocol)).toEqual(
        c.alerts.emails.map(() => "email"),
      );
      const [trail] = plannedResources(home.plan!, "aws_cloudtrail");
      expect(trail.values).toEqual(
        expect.objectContaining({
          name: "trailwatch",
          is_multi_region_trail: true,
          include_global_service_events: true,
          enable_log_file_validation: true,
        }),
      );
      const selectors = JSON.stringify(trail.values.advanced_event_selector);
      expect(selectors).toContain('"arn:aws:s3:::customer-data/${tenant}/"');
      expect(selectors).not.toContain("$${");
      // The provider accepts the small-object transition setting (5.x and 6.x both have it).
      expect(
        plannedResources(home.plan!, "aws_s3_bucket_lifecycle_configuration").map(
          (r) => r.values.transition_default_minimum_object_size,
        ),
      ).toEqual([
        "all_storage_classes_128K",
        "all_storage_classes_128K",
        "all_storage_classes_128K",
      ]);
      // default_tags reach every taggable resource's tags_all at plan time.
      expect(trail.values.tags_all).toEqual({
        owner: "security",
        project: "trailwatch",
        "trailwatch:stack": "trailwatch-ap-northeast-1",
      });
    });

    test("an argument the provider does not know fails terraform validate, naming the resource", () => {
      expect(rejected.ok).toBe(false);
      expect(rejected.validate).toEqual({ valid: false, errorCount: 1, warningCount: 0 });
      expect(rejected.errors).toEqual([
        expect.objectContaining({
          step: "validate",
          severity: "error",
          summary: "Extraneous JSON object property",
          detail: 'No argument or block type is named "colour".',
          where: expect.stringMatching(/^cdk\.tf\.json:\d+$/),
        }),
      ]);
      expect(rejected.counts).toBeUndefined();
      expect(formatStack(rejected)).toMatch(
        /^ {2}FAIL rejected: aws [\d.]+; validate: 1 error; plan: not planned .*\n {7}Error \(validate\): Extraneous JSON object property \[cdk\.tf\.json:\d+\]: No argument or block type is named "colour"\.\n$/,
      );
    });

    test("a provider no mirror has fails terraform init, plainly", () => {
      expect(uninstallable.ok).toBe(false);
      expect(uninstallable.validate).toBeUndefined();
      expect(uninstallable.errors[0]).toEqual(
        expect.objectContaining({
          step: "init",
          severity: "error",
          summary: "Failed to query available provider packages",
        }),
      );
      expect(uninstallable.errors[0].detail).toContain("hashicorp/random");
    });

    test("the temporary copies are removed", () => {
      expect(readdirSync(work)).toEqual([]);
    });
  },
);

describeTerraform(
  available
    ? "npm run validate -- --hcl: the same checks on main.tf"
    : "SKIPPED: no hashicorp/aws provider in a filesystem mirror on this machine",
  () => {
    let root: string;
    let work: string;
    let east: StackPlan, rejected: StackPlan;
    let hcl: string;

    beforeAll(async () => {
      root = mkdtempSync(path.join(tmpdir(), "trailwatch-plan-hcl-test-"));
      const out = path.join(root, "cdktf.out");
      await synthesizeHcl(config(), out);
      const eastDir = path.join(out, "stacks", "trailwatch-us-east-1");
      hcl = readFileSync(path.join(eastDir, "main.tf"), "utf8");
      // The same stack with an argument the provider does not know, in its first resource.
      const dir = path.join(root, "broken", "rejected");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "main.tf"),
        hcl.replace(/^(resource "[^"]+" "[^"]+" \{\n)/m, '$1  colour = "red"\n'),
      );
      work = path.join(root, "work");
      mkdirSync(work);
      [east, rejected] = await planStackDirs([eastDir, dir], { tempParent: work, jobs: 2 });
    }, 900_000);

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test("the stack validates and plans every resource of main.tf, with the JSON's offline changes", () => {
      expect(east.errors).toEqual([]);
      expect(east.ok).toBe(true);
      const resources = hcl.match(/^resource "/gm)!.length;
      expect(resources).toBeGreaterThan(10);
      expect(east.counts).toEqual({ add: resources, change: 0, destroy: 0 });
      expect(east.pinnedVersion).toBe("6.25.0");
      expect(east.changes.map((c) => c.what)).toContain(
        'backend "s3" removed: local state in the temporary copy',
      );
    });

    test("an argument the provider does not know fails terraform validate, at its line of main.tf", () => {
      expect(rejected.ok).toBe(false);
      expect(rejected.validate).toEqual({ valid: false, errorCount: 1, warningCount: 0 });
      expect(rejected.errors).toEqual([
        expect.objectContaining({
          step: "validate",
          severity: "error",
          summary: "Unsupported argument",
          where: expect.stringMatching(/^main\.tf:\d+$/),
        }),
      ]);
      expect(rejected.counts).toBeUndefined();
    });

    test("the temporary copies are removed", () => {
      expect(readdirSync(work)).toEqual([]);
    });
  },
);
