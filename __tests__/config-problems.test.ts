import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../src/config/load";
import { parseJsonText } from "../src/config/json-text";
import { configProblems as problems, exampleConfigInput, ROOT } from "./helpers";

/** The example with `mutate` applied to a deep copy. */
function variant(mutate: (c: any) => void): unknown {
  const c: any = exampleConfigInput();
  mutate(c);
  return c;
}

describe("every problem at once", () => {
  test("the three derived bucket names are all reported, with the field problems", () => {
    const p = problems(
      variant((c) => {
        c.name = "a-very-long-trailwatch-prefix-xx";
        c.logGroup.retentionDays = 13;
      }),
    );
    expect(p).toEqual([
      expect.stringMatching(/^logGroup\.retentionDays: not a CloudWatch Logs retention value/),
      'archive.bucketName: the default name "a-very-long-trailwatch-prefix-xx-cloudtrail-111122223333-ap-northeast-1" (from name, accountId and homeRegion) must be 3 to 63 characters long; set archive.bucketName explicitly',
      'archive.accessLogs.bucketName: the default name "a-very-long-trailwatch-prefix-xx-s3-access-111122223333-ap-northeast-1" (from name, accountId and homeRegion) must be 3 to 63 characters long; set archive.accessLogs.bucketName explicitly',
      'athena.resultsBucketName: the default name "a-very-long-trailwatch-prefix-xx-athena-111122223333-ap-northeast-1" (from name, accountId and homeRegion) must be 3 to 63 characters long; set athena.resultsBucketName explicitly',
    ]);
  });

  test("an invalid homeRegion does not hide a region listed twice", () => {
    const p = problems(
      variant((c) => {
        c.homeRegion = "ap-northeast-9";
        c.regions = ["ap-northeast-1", "us-east-1", "ap-northeast-1", "mars-1"];
      }),
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^homeRegion: not an AWS region code; allowed: .* \(got "ap-northeast-9"\)$/,
      ),
      expect.stringMatching(/^regions\[3\]: not an AWS region code; allowed: .* \(got "mars-1"\)$/),
      'regions[2]: is listed twice (also regions[0]) (got "ap-northeast-1")',
    ]);
  });

  test("containment's rules run beside an invalid field elsewhere", () => {
    const p = problems(
      variant((c) => {
        c.homeRegion = "ap-northeast-9";
        c.remediation = {
          enabled: true,
          actions: { "s3-bucket-created": "deactivate-access-key" },
        };
      }),
    );
    expect(p).toEqual([
      expect.stringMatching(/^homeRegion: not an AWS region code; allowed: /),
      expect.stringMatching(
        /^remediation\.actions\.s3-bucket-created: deactivate-access-key cannot contain what s3-bucket-created reports; allowed for s3-bucket-created: lock-s3-bucket \(got "deactivate-access-key"\)$/,
      ),
    ]);
  });

  test("cross-field rules run on the sections that parsed while others fail", () => {
    const p = problems(
      variant((c) => {
        c.accountId = "12345";
        c.alerts.emails = ["a@example.com", "A@EXAMPLE.COM", "nope"];
        c.detections = { enable: ["cis-root-usage"], disable: ["cis-root-usage"] };
        c.archive.transitions = [{ days: 10, storageClass: "STANDARD_IA" }, { days: "x" }];
        c.trail = { profile: "cheap", name: "my--trail" };
      }),
    );
    expect(p.map((x) => x.split(": ")[0])).toEqual([
      "accountId",
      "alerts.emails[2]",
      "trail.name",
      "trail.profile",
      "archive.transitions[1].days",
      "archive.transitions[1].storageClass",
      "alerts.emails[1]",
      "detections.enable[0]",
      "archive.transitions[0].days",
    ]);
  });

  test("a missing required field says required, with what it is", () => {
    const p = problems(
      variant((c) => {
        delete c.homeRegion;
        delete c.state.bucket;
        delete c.alerts;
      }),
    );
    expect(p).toEqual([
      "homeRegion: required (the region of the trail, its archive, log group, alarms and alert topic, e.g. us-east-1)",
      "state.bucket: required (the S3 bucket that keeps Terraform state (npm run bootstrap creates it))",
      'alerts: required (who is alerted: { "emails": ["security@example.com"] })',
    ]);
  });

  test("a given but invalid field is not mistaken for its default", () => {
    // trail.name is invalid: `name` must not be checked as the trail's name in its stead;
    // archive.bucketName is invalid: its default name must not be checked in its stead.
    const p = problems(
      variant((c) => {
        c.name = "a--b";
        c.trail.name = "-x";
        c.archive.bucketName = "Bad_Name";
        c.detections = {
          alarms: { "cis-root-usage": { evaluationPeriods: 0, datapointsToAlarm: 2 } },
        };
      }),
    );
    expect(p.map((x) => x.split(": ")[0])).toEqual([
      "trail.name",
      "archive.bucketName",
      "detections.alarms.cis-root-usage.evaluationPeriods",
    ]);
  });
});

describe("the configuration file", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "trailwatch-config-file-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const problemsOf = (file: string) => {
    try {
      loadConfigFile(file);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error("expected the file to be rejected");
  };

  test("syntax errors are located as file:line:column, every one", () => {
    const file = write(
      "syntax.json",
      '{\n  "name": "trailwatch",\n  "accountId": "111122223333"\n  "homeRegion": "eu-west-1",\n  "regions": ["eu-west-1",],\n}\n',
    );
    expect(problemsOf(file)).toEqual([
      `${file}:4:3: JSON syntax error: expected a comma`,
      `${file}:5:27: JSON syntax error: expected a value`,
      `${file}:6:1: JSON syntax error: expected a key in double quotes (or a trailing comma before "}")`,
    ]);
  });

  test("comments and keys given twice are refused where they are", () => {
    const file = write(
      "dupes.json",
      '{\n  // my account\n  "accountId": "111122223333",\n  "state": { "bucket": "a", "bucket": "b" }\n}',
    );
    expect(problemsOf(file)).toEqual([
      `${file}:2:3: JSON syntax error: comments are not allowed in JSON`,
      `${file}:4:29: the key "bucket" appears twice in this object (JSON would keep only the last)`,
    ]);
  });

  test("a UTF-8 byte order mark is accepted", () => {
    const text = readFileSync(path.join(ROOT, "trailwatch.config.json"), "utf8");
    const file = write("bom.json", `\uFEFF${text}`);
    expect(loadConfigFile(file)).toEqual(parseConfig(JSON.parse(text)));
    // ...and never part of a message: a bad value after a BOM is reported like any other.
    const bad = write("bom-bad.json", `\uFEFF{"accountId": 1}`);
    expect(problemsOf(bad)).toEqual(
      expect.arrayContaining([
        "accountId: Invalid input: expected string, received number (got 1)",
        expect.stringMatching(/^homeRegion: required/),
      ]),
    );
  });

  test("a raw control character in a string is located", () => {
    expect(parseJsonText('{\n  "a": "x\ty"\n}', "f.json").problems).toEqual([
      "f.json:2:8: JSON syntax error: invalid character in a string",
    ]);
  });
});
