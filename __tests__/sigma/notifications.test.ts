/**
 * The Detection Rule License 1.1 of SigmaHQ's rules: "messages based on matches with the Rules
 * must retain ... identification of the author(s)". Every message a converted detection can send
 * carries its attribution: the EventBridge notification, the alarm description and the enriched
 * alarm message (e-mail text and chat card).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { alarmCatalog } from "../../src/alerts/catalog";
import type { AlarmStateChangeEvent } from "../../src/alerts/alarm-event";
import { alarmMessage } from "../../src/alerts/message";
import { customDetectionEntry } from "../../src/config/custom-detections";
import { alarmDescription } from "../../src/constructs/detection-alarms";
import { customDetection } from "../../src/detections/custom";
import { notificationTransformer } from "../../src/detections/notification";
import { convertSigma } from "../../src/sigma/convert";
import { ROOT } from "../helpers";

const FILE =
  "__tests__/fixtures/sigma/sigmahq/rules/cloud/aws/cloudtrail/aws_root_account_usage.yml";
const [converted] = convertSigma(
  [{ file: FILE, text: readFileSync(path.join(ROOT, FILE), "utf8") }],
  { name: "trailwatch", license: "DRL-1.1", delivery: "both" },
).converted;
const ATTRIBUTION = 'Sigma rule "AWS Root Credentials" by vitaliy0x1 (DRL-1.1).';
const detection = customDetection(customDetectionEntry.parse(converted.detection));

test("the converted detection carries the rule's author and licence", () => {
  expect(detection.attribution).toBe(ATTRIBUTION);
});

test("EventBridge notification", () => {
  expect(JSON.parse(notificationTransformer(detection).inputTemplate)).toContain(ATTRIBUTION);
});

test("alarm description, before the text a long rationale could cut off", () => {
  const long = { ...detection, rationale: "x".repeat(2000) };
  const text = alarmDescription(long);
  expect(text.length).toBeLessThanOrEqual(1024);
  expect(text).toContain(ATTRIBUTION);
});

test("enriched alarm message: e-mail text and chat card", () => {
  const catalog = alarmCatalog([detection], "trailwatch-");
  const entry = catalog.alarms["trailwatch-sigma-root-account-usage"];
  expect(entry.attribution).toBe(ATTRIBUTION);
  const alarm = {
    account: "111122223333",
    region: "ap-northeast-1",
    detail: {
      alarmName: "trailwatch-sigma-root-account-usage",
      state: { value: "ALARM", timestamp: "2026-11-20T10:01:45.000+0000" },
    },
  } as unknown as AlarmStateChangeEvent;
  const m = alarmMessage({
    alarm,
    entry,
    window: {
      start: Date.UTC(2026, 10, 20, 10, 0),
      end: Date.UTC(2026, 10, 20, 10, 0, 59, 999),
      basis: "alarm time and period",
    },
    events: { error: "AccessDenied" },
    insightsUrl: "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home",
  });
  expect(m.text).toContain(ATTRIBUTION);
  expect(m.chat.content.nextSteps).toContain(ATTRIBUTION);
});
