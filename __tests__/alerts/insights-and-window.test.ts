/**
 * The pieces of the enriched message that do not need AWS: the Logs Insights query rendered from
 * a detection's condition, the console link that carries it, and the alarm's evaluation window.
 */
import {
  evaluationWindow,
  parseCloudWatchTime,
  type AlarmStateChangeEvent,
} from "../../src/alerts/alarm-event";
import { encodeInsightsValue, insightsLink } from "../../src/alerts/insights-link";
import {
  absent,
  all,
  any,
  contains,
  eq,
  lte,
  ne,
  notContains,
  notPrefix,
  prefix,
  present,
  suffix,
} from "../../src/detections/condition";
import { CIS_DETECTIONS } from "../../src/detections/cis";
import { conditionToInsightsFilter, insightsQuery } from "../../src/patterns/insights-query";

const byId = (id: string) => CIS_DETECTIONS.find((d) => d.id === id)!;

describe("Logs Insights query from a detection's condition", () => {
  test("the three alarms of the issue", () => {
    expect(conditionToInsightsFilter(byId("cis-root-usage").condition)).toBe(
      'userIdentity.type = "Root" and not ispresent(userIdentity.invokedBy) and (ispresent(eventType) and eventType != "AwsServiceEvent")',
    );
    expect(conditionToInsightsFilter(byId("cis-unauthorized-api-calls").condition)).toBe(
      "errorCode like /UnauthorizedOperation$/ or errorCode like /^AccessDenied/",
    );
    expect(conditionToInsightsFilter(byId("cis-console-signin-without-mfa").condition)).toBe(
      'eventName = "ConsoleLogin" and (ispresent(additionalEventData.MFAUsed) and additionalEventData.MFAUsed != "Yes") and userIdentity.type = "IAMUser" and responseElements.ConsoleLogin = "Success"',
    );
  });

  test("lists use in, groups are parenthesized, numbers are bare", () => {
    expect(
      conditionToInsightsFilter(
        all(eq("eventName", "A", "B"), any(eq("x", 1), absent("y")), ne("z", "q")),
      ),
    ).toBe(
      'eventName in ["A", "B"] and (x = 1 or not ispresent(y)) and (ispresent(z) and z != "q")',
    );
  });

  test("regex metacharacters and quotes are escaped", () => {
    expect(conditionToInsightsFilter(prefix("a", "x.y*(z)/"))).toBe("a like /^x\\.y\\*\\(z\\)\\//");
    expect(conditionToInsightsFilter(suffix("a", "$^"))).toBe("a like /\\$\\^$/");
    expect(conditionToInsightsFilter(eq("a", 'say "hi"'))).toBe('a = "say \\"hi\\""');
  });

  test("the other operators: contains, negated text, exists", () => {
    expect(conditionToInsightsFilter(contains("userAgent", "curl/"))).toBe(
      "userAgent like /curl\\//",
    );
    expect(conditionToInsightsFilter(notPrefix("userAgent", "aws-cli"))).toBe(
      "ispresent(userAgent) and userAgent not like /^aws-cli/",
    );
    expect(conditionToInsightsFilter(notContains("a", "x"))).toBe(
      "ispresent(a) and a not like /x/",
    );
    expect(conditionToInsightsFilter(present("errorCode"))).toBe("ispresent(errorCode)");
    // Booleans on the raw message: how Logs Insights compares JSON booleans is not documented.
    expect(conditionToInsightsFilter(eq("requestParameters.withDecryption", true))).toBe(
      '@message like /"withDecryption":true/',
    );
    expect(conditionToInsightsFilter(lte("requestParameters.days", 7))).toBe(
      "requestParameters.days <= 7",
    );
    expect(
      conditionToInsightsFilter(
        present("requestParameters.x-amz-server-side-encryption-customer-algorithm"),
      ),
    ).toBe("ispresent(`requestParameters.x-amz-server-side-encryption-customer-algorithm`)");
  });

  test("an array path searches the first elements as Logs Insights flattens them", () => {
    expect(conditionToInsightsFilter(eq("requestParameters.items[].userId", "all"))).toBe(
      'requestParameters.items.0.userId = "all" or requestParameters.items.1.userId = "all" or requestParameters.items.2.userId = "all" or requestParameters.items.3.userId = "all"',
    );
    expect(conditionToInsightsFilter(absent("a[]"))).toBe(
      "not ispresent(a.0) and not ispresent(a.1) and not ispresent(a.2) and not ispresent(a.3)",
    );
  });

  test("what cannot be said is refused, not guessed", () => {
    expect(() => conditionToInsightsFilter(eq("a", true, "x"))).toThrow(/boolean/);
    expect(() => conditionToInsightsFilter(ne("a", true))).toThrow(/boolean/);
    expect(() => conditionToInsightsFilter(eq("a b", "x"))).toThrow(/cannot be named/);
  });

  test("every CIS alarm renders a whole query", () => {
    for (const d of CIS_DETECTIONS) {
      const q = insightsQuery(d.condition);
      expect(q.split("\n")).toEqual([
        expect.stringMatching(/^fields @timestamp, eventSource, eventName, /),
        expect.stringMatching(/^\| filter \S/),
        "| sort @timestamp desc",
        "| limit 1000",
      ]);
    }
  });
});

/** An independent reading of the console's fragment format (see insights-link.ts). */
function readLink(url: string) {
  const u = new URL(url);
  const m =
    /^#logsV2:logs-insights\$3FqueryDetail\$3D~\(end~'([^~]*)~start~'([^~]*)~timeType~'ABSOLUTE~tz~'UTC~editorString~'([^~]*)~source~\(~'([^~)]*)\)\)$/.exec(
      u.hash,
    );
  if (!m) throw new Error(`unexpected fragment ${u.hash}`);
  const decode = (s: string) =>
    decodeURIComponent(s.replace(/\*([0-9a-f]{2})/g, (_x, h: string) => `%${h}`));
  return {
    host: u.host,
    region: u.searchParams.get("region"),
    end: decode(m[1]),
    start: decode(m[2]),
    query: decode(m[3]),
    logGroup: decode(m[4]),
  };
}

describe("Logs Insights console link", () => {
  test("carries region, log group, query and the absolute window, all recoverable", () => {
    const query = insightsQuery(byId("cis-root-usage").condition);
    const url = insightsLink({
      region: "ap-northeast-1",
      logGroupName: "/trailwatch/cloudtrail",
      query,
      start: Date.parse("2026-11-26T10:00:00Z"),
      end: Date.parse("2026-11-26T10:00:59.999Z"),
    });
    expect(readLink(url)).toEqual({
      host: "ap-northeast-1.console.aws.amazon.com",
      region: "ap-northeast-1",
      end: "2026-11-26T10:00:59.999Z",
      start: "2026-11-26T10:00:00.000Z",
      query,
      logGroup: "/trailwatch/cloudtrail",
    });
  });

  test("no query text can end a value early: only safe characters and *XX escapes remain", () => {
    const nasty = "a~b'c(d)e*f%g é\n|/";
    const enc = encodeInsightsValue(nasty);
    expect(enc).toMatch(/^[A-Za-z0-9_.*-]+$/);
    expect(enc).toBe("a*7eb*27c*28d*29e*2af*25g*20*c3*a9*0a*7c*2f");
  });
});

const event = (reasonData: object | undefined, stateTimestamp = "2026-11-26T10:02:30.123+0000") =>
  ({
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "111122223333",
    region: "ap-northeast-1",
    time: "2026-11-26T10:02:30Z",
    detail: {
      alarmName: "trailwatch-cis-root-usage",
      state: {
        value: "ALARM",
        reasonData: reasonData === undefined ? undefined : JSON.stringify(reasonData),
        timestamp: stateTimestamp,
      },
    },
  }) as AlarmStateChangeEvent;

describe("evaluation window", () => {
  test("CloudWatch's +0000 timestamps parse", () => {
    expect(parseCloudWatchTime("2019-10-02T16:59:00.000+0000")).toBe(
      Date.parse("2019-10-02T16:59:00Z"),
    );
    expect(parseCloudWatchTime(undefined)).toBeNaN();
  });

  test("from the earliest evaluated data point to the end of the latest one's period", () => {
    const w = evaluationWindow(
      event({
        period: 300,
        evaluatedDatapoints: [
          { timestamp: "2026-11-26T10:05:00.000+0000", value: 2 },
          { timestamp: "2026-11-26T10:00:00.000+0000", value: 3 },
        ],
      }),
      { periodSeconds: 60, evaluationPeriods: 1 },
    );
    expect(w).toEqual({
      start: Date.parse("2026-11-26T10:00:00Z"),
      end: Date.parse("2026-11-26T10:09:59.999Z"),
      basis: "evaluated data points",
    });
  });

  test("without data points: the tuned periods before the state change", () => {
    const w = evaluationWindow(event({}), { periodSeconds: 300, evaluationPeriods: 2 });
    expect(w).toEqual({
      start: Date.parse("2026-11-26T09:52:30.123Z"),
      end: Date.parse("2026-11-26T10:02:30.123Z"),
      basis: "alarm time and period",
    });
    expect(
      evaluationWindow(event(undefined), { periodSeconds: 60, evaluationPeriods: 1 }).basis,
    ).toBe("alarm time and period");
  });
});
