import { Testing } from "cdktf";
import { makeUniqueId } from "cdktf/lib/private/unique";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config/load";
import { duplicatesBy, emailIdentity, stableId } from "../src/terraform/stable-id";
import { configProblems, exampleConfigInput } from "./helpers";
import { LOGIN_PROFILE_CREATED, PUBLIC_ACCESS_BLOCK_REMOVED } from "./support/custom-detections";

/**
 * Editing a list in the configuration (removing its first item, reordering it, inserting an item)
 * must leave every resource the edit did not touch at the same Terraform address with the same
 * attributes: a resource keyed by list position would instead be replaced (an e-mail subscription
 * replaced is a recipient unsubscribed until they confirm again).
 */

type Resources = Map<string, unknown>;

/** Every resource of every stack, by `<stack> <type>.<name>`, without cdktf's metadata. */
function render(mutate: (c: any) => void): Resources {
  const input: any = exampleConfigInput();
  mutate(input);
  const { home, regional } = buildApp(parseConfig(input), Testing.app().outdir);
  const out: Resources = new Map();
  for (const stack of [home, ...regional]) {
    const json = JSON.parse(Testing.synth(stack));
    for (const [type, byName] of Object.entries<Record<string, any>>(json.resource ?? {}))
      for (const [name, body] of Object.entries(byName)) {
        const { "//": _metadata, ...attributes } = body;
        out.set(`${stack.node.id} ${type}.${name}`, attributes);
      }
    out.set(`${stack.node.id} provider`, json.provider);
  }
  return out;
}

/** Addresses that appear, disappear or change between two renders. */
function changes(before: Resources, after: Resources) {
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const added = [...after.keys()].filter((k) => !before.has(k));
  const changed = [...before.keys()].filter(
    (k) => after.has(k) && JSON.stringify(after.get(k)) !== JSON.stringify(before.get(k)),
  );
  return { removed, added, changed };
}

/**
 * `changed` without the alarm enrichment function, after checking that its only change is its code
 * (`filename`, `source_code_hash`): the function's package carries the alarm catalog, so adding,
 * removing or tuning an alarm detection updates it in place, which replaces nothing.
 */
function besidesCodeUpdates(changed: string[], before: Resources, after: Resources): string[] {
  return changed.filter((k) => {
    if (!k.includes("aws_lambda_function.alert-enrichment_function_")) return true;
    const [b, a] = [
      before.get(k) as Record<string, unknown>,
      after.get(k) as Record<string, unknown>,
    ];
    const differing = Object.keys({ ...b, ...a }).filter(
      (key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]),
    );
    expect(differing.sort()).toEqual(["filename", "source_code_hash"]);
    return false;
  });
}

/** The addresses whose attributes satisfy `match`. */
function addressesWhere(r: Resources, match: (attributes: any) => boolean): string[] {
  return [...r.entries()].filter(([, a]) => match(a)).map(([k]) => k);
}

const emails = ["a@example.com", "Bob.Smith+alerts@example.com", "c@example.org"];
const withEmails = (list: string[]) => (c: any) => (c.alerts.emails = list);
const subscriptionOf = (r: Resources, email: string) =>
  addressesWhere(r, (a) => a?.protocol === "email" && a?.endpoint === email);

describe("alerts.emails: subscriptions are keyed by address", () => {
  const base = render(withEmails(emails));

  test("each address has one subscription with a readable, hash-suffixed address", () => {
    const addresses = emails.map((e) => subscriptionOf(base, e));
    expect(addresses.map((a) => a.length)).toEqual([1, 1, 1]);
    expect(addresses[1][0]).toMatch(
      /^trailwatch-ap-northeast-1 aws_sns_topic_subscription\.alerts_email-bob-smith-alerts-example-com-[0-9a-f]{8}_[0-9A-F]{8}$/,
    );
  });

  test.each([
    ["removing the first", [emails[1], emails[2]], [emails[0]], []],
    ["reordering", [emails[2], emails[0], emails[1]], [], []],
    ["inserting", [emails[0], "new@example.com", emails[1], emails[2]], [], ["new@example.com"]],
    ["changing the case of another", [emails[0].toUpperCase(), emails[1], emails[2]], [], []],
  ])("%s leaves the other subscriptions untouched", (_what, edited, gone, fresh) => {
    const after = render(withEmails(edited));
    const { removed, added, changed } = changes(base, after);
    expect(removed).toEqual(gone.flatMap((e) => subscriptionOf(base, e)));
    expect(added).toEqual(fresh.flatMap((e) => subscriptionOf(after, e)));
    // A new spelling of the same address keeps its resource and changes only its endpoint.
    expect(changed).toEqual(
      edited
        .filter((e) => !emails.includes(e) && emails.map(emailIdentity).includes(emailIdentity(e)))
        .flatMap((e) => subscriptionOf(after, e)),
    );
  });

  test("upgrading from position-keyed subscriptions moves email-<i> to the address's resource", () => {
    const input: any = exampleConfigInput();
    input.alerts.emails = emails;
    const { home } = buildApp(parseConfig(input), Testing.app().outdir);
    const moved = JSON.parse(Testing.synth(home)).moved;
    // cdktf's address for a child `email-<i>` of `alerts`, as trailwatch 0.1 rendered it.
    expect(moved).toEqual(
      emails.map((e, i) => ({
        from: `aws_sns_topic_subscription.${makeUniqueId(["alerts", `email-${i}`])}`,
        to: subscriptionOf(base, e)[0].split(" ")[1],
      })),
    );
    expect(makeUniqueId(["alerts", "email-0"])).toBe("alerts_email-0_ECD0CBB7");
  });

  test("the same address twice, also in another case, is a configuration error", () => {
    const input: any = exampleConfigInput();
    input.alerts.emails = ["a@example.com", "b@example.com", "A@Example.com"];
    expect(configProblems(input)).toEqual([
      'alerts.emails[2]: "A@Example.com" is the address of alerts.emails[0] (addresses are compared ignoring case) (got "A@Example.com")',
    ]);
  });
});

describe("regions: one stack per region, named by the region", () => {
  const regions = ["ap-northeast-1", "eu-west-1", "us-east-1", "us-west-2"];
  const base = render((c) => (c.regions = regions));
  const stackOf = (region: string) => `trailwatch-${region} `;

  test.each([
    [
      "removing the first non-home region",
      ["ap-northeast-1", "us-east-1", "us-west-2"],
      "eu-west-1",
    ],
    ["reordering", ["us-west-2", "ap-northeast-1", "us-east-1", "eu-west-1"], undefined],
    ["inserting", ["ap-northeast-1", "ca-central-1", ...regions.slice(1)], undefined],
  ])("%s changes only the stacks of the regions edited", (_what, edited, gone) => {
    const after = render((c) => (c.regions = edited));
    const { removed, added, changed } = changes(base, after);
    expect(changed).toEqual([]);
    expect(removed.every((k) => k.startsWith(stackOf(gone ?? "none")))).toBe(true);
    expect(removed.length > 0).toBe(gone !== undefined);
    const fresh = edited.filter((r) => !regions.includes(r));
    expect(added.every((k) => fresh.some((r) => k.startsWith(stackOf(r))))).toBe(true);
    expect(added.length > 0).toBe(fresh.length > 0);
  });
});

describe("tags: a map, so key order never matters", () => {
  const base = render((c) => (c.tags = { project: "trailwatch", owner: "security", tier: "1" }));

  test("reordering keys changes nothing; removing one changes only the provider's default tags", () => {
    const reordered = render(
      (c) => (c.tags = { tier: "1", owner: "security", project: "trailwatch" }),
    );
    expect(changes(base, reordered)).toEqual({ removed: [], added: [], changed: [] });
    const fewer = render((c) => (c.tags = { owner: "security", tier: "1" }));
    const { removed, added, changed } = changes(base, fewer);
    expect([removed, added]).toEqual([[], []]);
    expect(changed.every((k) => k.endsWith(" provider"))).toBe(true);
    expect(changed.length).toBeGreaterThan(0);
  });
});

describe("trail.s3DataEvents and excludeManagementEventSources: sorted into the selectors", () => {
  const buckets = [
    { bucket: "customer-data", readWrite: "All" },
    { bucket: "arn:aws:s3:::uploads/incoming/", readWrite: "All" },
    { bucket: "reports", readWrite: "WriteOnly" },
  ];
  const withBuckets = (list: object[]) => (c: any) => {
    c.trail.s3DataEvents = list;
    c.trail.excludeManagementEventSources = ["rdsdata.amazonaws.com", "kms.amazonaws.com"];
  };
  const base = render(withBuckets(buckets));
  const trail = (r: Resources) => addressesWhere(r, (a) => a?.is_multi_region_trail === true);

  test("reordering either list changes nothing", () => {
    const reordered = render((c) => {
      withBuckets([buckets[2], buckets[1], buckets[0]])(c);
      c.trail.excludeManagementEventSources = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];
    });
    expect(changes(base, reordered)).toEqual({ removed: [], added: [], changed: [] });
  });

  test.each([
    ["removing the first", [buckets[1], buckets[2]]],
    ["inserting", [buckets[0], { bucket: "more-data", readWrite: "All" }, buckets[1], buckets[2]]],
  ])("%s updates the trail in place and nothing else", (_what, edited) => {
    const after = render(withBuckets(edited));
    expect(changes(base, after)).toEqual({ removed: [], added: [], changed: trail(base) });
  });

  test("the same bucket twice (as a name and as an ARN) is a configuration error", () => {
    const input: any = exampleConfigInput();
    withBuckets([buckets[0], { bucket: "arn:aws:s3:::customer-data/", readWrite: "ReadOnly" }])(
      input,
    );
    expect(configProblems(input)).toEqual([
      'trail.s3DataEvents[1].bucket: "arn:aws:s3:::customer-data/" selects the same objects as trail.s3DataEvents[0] (got "arn:aws:s3:::customer-data/")',
    ]);
  });
});

describe("detections: resources keyed by detection id", () => {
  const detections =
    (enable: string[], disable: string[], alarms: object = {}) =>
    (c: any) =>
      (c.detections = { enable, disable, alarms });
  const base = render(
    detections(["cloudtrail-describe-trails"], ["ec2-instances-launched", "nacl-changed"], {
      "cis-root-usage": { threshold: 2 },
      "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 },
    }),
  );
  const ofDetection = (r: Resources, id: string) =>
    [...r.keys()].filter((k) => k.includes(`_${id}-`) || k.includes(`_query-detection-${id}_`));

  test("reordering enable, disable and alarm tuning changes nothing", () => {
    const reordered = render(
      detections(["cloudtrail-describe-trails"], ["nacl-changed", "ec2-instances-launched"], {
        "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 },
        "cis-root-usage": { threshold: 2 },
      }),
    );
    expect(changes(base, reordered)).toEqual({ removed: [], added: [], changed: [] });
  });

  test("removing the first disabled detection adds its resources and touches no other", () => {
    const after = render(
      detections(["cloudtrail-describe-trails"], ["nacl-changed"], {
        "cis-root-usage": { threshold: 2 },
        "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 },
      }),
    );
    const { removed, added, changed } = changes(base, after);
    expect(removed).toEqual([]);
    expect(added.length).toBeGreaterThan(0);
    expect(added).toEqual(ofDetection(after, "ec2-instances-launched"));
    expect(besidesCodeUpdates(changed, base, after)).toEqual([]);
  });

  test("removing the first enabled detection and the first alarm tuning touches only those", () => {
    const after = render(
      detections([], ["ec2-instances-launched", "nacl-changed"], {
        "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 },
      }),
    );
    const { removed, added, changed } = changes(base, after);
    expect(added).toEqual([]);
    expect(removed).toEqual(ofDetection(base, "cloudtrail-describe-trails"));
    expect(besidesCodeUpdates(changed, base, after)).toEqual(
      [...base.keys()].filter((k) =>
        k.includes("aws_cloudwatch_metric_alarm.alarms_cis-root-usage-"),
      ),
    );
  });

  test("a detection id listed twice is a configuration error", () => {
    const input: any = exampleConfigInput();
    detections(
      ["cloudtrail-describe-trails", "cloudtrail-describe-trails"],
      ["nacl-changed", "nacl-changed"],
    )(input);
    expect(configProblems(input)).toEqual([
      'detections.enable[1]: is listed twice (also detections.enable[0]) (got "cloudtrail-describe-trails")',
      'detections.disable[1]: is listed twice (also detections.disable[0]) (got "nacl-changed")',
    ]);
  });
});

describe("detections.custom: resources keyed by the custom detection's id", () => {
  const third = { ...LOGIN_PROFILE_CREATED, id: "iam-login-profile-set" };
  const fourth = { ...PUBLIC_ACCESS_BLOCK_REMOVED, id: "s3-bucket-exposed" };
  const withCustom = (custom: object[]) => (c: any) => (c.detections = { custom });
  const base = render(withCustom([LOGIN_PROFILE_CREATED, PUBLIC_ACCESS_BLOCK_REMOVED, third]));
  const ofDetection = (r: Resources, id: string) =>
    [...r.keys()].filter((k) => k.includes(`_${id}-`) || k.includes(`_query-detection-${id}_`));

  test("each custom detection has resources of its own", () => {
    for (const d of [LOGIN_PROFILE_CREATED, PUBLIC_ACCESS_BLOCK_REMOVED, third])
      expect(ofDetection(base, d.id).length).toBeGreaterThan(0);
  });

  test("reordering the list changes nothing", () => {
    const after = render(withCustom([third, PUBLIC_ACCESS_BLOCK_REMOVED, LOGIN_PROFILE_CREATED]));
    expect(changes(base, after)).toEqual({ removed: [], added: [], changed: [] });
  });

  test("removing the first removes only its resources", () => {
    const after = render(withCustom([PUBLIC_ACCESS_BLOCK_REMOVED, third]));
    const { removed, added, changed } = changes(base, after);
    expect(added).toEqual([]);
    expect(removed).toEqual(ofDetection(base, LOGIN_PROFILE_CREATED.id));
    expect(besidesCodeUpdates(changed, base, after)).toEqual([]);
  });

  test("inserting one adds only its resources", () => {
    const after = render(
      withCustom([LOGIN_PROFILE_CREATED, fourth, PUBLIC_ACCESS_BLOCK_REMOVED, third]),
    );
    const { removed, added, changed } = changes(base, after);
    expect(removed).toEqual([]);
    expect(added).toEqual(ofDetection(after, fourth.id));
    expect(besidesCodeUpdates(changed, base, after)).toEqual([]);
  });
});

describe("archive.transitions: one lifecycle rule, ordered by days", () => {
  test("removing the first transition updates the lifecycle in place and nothing else", () => {
    const base = render(() => undefined);
    const after = render((c) => (c.archive.transitions = [{ days: 365, storageClass: "GLACIER" }]));
    const { removed, added, changed } = changes(base, after);
    expect([removed, added]).toEqual([[], []]);
    expect(changed).toEqual(
      addressesWhere(base, (a) => JSON.stringify(a?.rule ?? "").includes('"transition"')),
    );
    expect(changed).toHaveLength(1);
  });
});

describe("stableId", () => {
  test("safe identities are kept; others get a readable slug and a hash of the identity", () => {
    expect(stableId("cis-root-usage")).toBe("cis-root-usage");
    expect(stableId("eu-west-1")).toBe("eu-west-1");
    expect(stableId("a.b@x.io")).toMatch(/^a-b-x-io-[0-9a-f]{8}$/);
    expect(stableId("a.b@x.io")).not.toBe(stableId("a-b@x.io"));
    expect(stableId("sec${team}@example.com")).toMatch(/^sec-team-example-com-[0-9a-f]{8}$/);
    expect(stableId("@@@")).toMatch(/^[0-9a-f]{8}$/);
    expect(stableId("x".repeat(100))).toMatch(/^x{64}-[0-9a-f]{8}$/);
    expect(stableId("a.b@x.io")).toBe(stableId("a.b@x.io"));
    expect(() => stableId("")).toThrow(/cannot be empty/);
  });

  test("duplicatesBy reports each later item with the position of the first", () => {
    expect(duplicatesBy(["A@x.io", "b@x.io", "a@X.IO", "B@x.io"], emailIdentity)).toEqual([
      { index: 2, firstIndex: 0, item: "a@X.IO" },
      { index: 3, firstIndex: 1, item: "B@x.io" },
    ]);
  });
});
