import { alarmLinks } from "../../src/containment/alarm-links";
import { readLink } from "../../src/containment/claims";
import { KEY, NOW, record, settings } from "../support/containment";

const CREATED = record("80486b96-9f31-441e-b4e2-b85a4e520a07"); // real CreateBucket of cwe-test

describe("links for the records behind an alarm", () => {
  const keys = { signingKey: async () => KEY };
  const log = () => undefined;

  test("each record the detection's action can contain gets one signed link", async () => {
    const linksOf = await alarmLinks("s3-bucket-created", {
      settings: settings(),
      keys,
      now: () => NOW,
      log,
    });
    const [link] = linksOf(CREATED);
    expect(link.label).toBe("Containment (Lock down the S3 bucket; opens a confirmation page)");
    expect(readLink(link.url.slice(link.url.indexOf("?") + 1), [KEY], NOW)).toMatchObject({
      action: "lock-s3-bucket",
      detection: "s3-bucket-created",
      target: { bucket: "cwe-test", region: "us-east-1" },
    });
    // Another call behind the same alarm (not the action's business): no link.
    expect(linksOf(record("c64c4ded-ef03-4e5c-81eb-153b118d72f2"))).toEqual([]);
  });

  test("containment off, a detection without an action, or no key: no links, and the alert is not held up", async () => {
    const events: string[] = [];
    const none = [
      await alarmLinks("s3-bucket-created", { settings: undefined, keys, now: () => NOW, log }),
      await alarmLinks("cis-root-usage", { settings: settings(), keys, now: () => NOW, log }),
      await alarmLinks("s3-bucket-created", {
        settings: settings(),
        keys: { signingKey: async () => Promise.reject(new Error("AccessDenied")) },
        now: () => NOW,
        log: (e) => events.push(e),
      }),
    ];
    for (const f of none) expect(f(CREATED)).toEqual([]);
    expect(events).toEqual(["containment-link-not-signed"]);
  });
});
