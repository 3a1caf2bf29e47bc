import { readFixtureJsonl } from "../support/fixtures";
import {
  absent,
  all,
  any,
  contains,
  eq,
  gt,
  gte,
  lt,
  lte,
  ne,
  notContains,
  notPrefix,
  notSuffix,
  prefix,
  present,
  suffix,
  type Condition,
  type Scalar,
} from "../../src/detections/condition";
import {
  compileFilterPattern,
  formatFilterExpr,
  FilterPatternError,
  type FilterExpr,
  matchesFilterPattern,
  normalizeFilterExpr,
  NOT_EQUALS_MATCHES_MISSING_FIELD,
  parseFilterPattern,
} from "../../src/patterns/filter-pattern";
import {
  conditionToFilterExpr,
  renderConditionToFilterPattern,
} from "../../src/patterns/filter-pattern-render";

type ConformanceCase = {
  id: string;
  log_event: unknown;
  pattern: string;
  expected: "match" | "no_match";
};
const cases = readFixtureJsonl<ConformanceCase>("conformance", "cloudwatch_filter_cases.jsonl");
const records = readFixtureJsonl<Record<string, unknown>>("records.jsonl");

const jsonExpr = (text: string): FilterExpr => {
  const p = parseFilterPattern(text);
  if (p.kind !== "json") throw new Error(`not a JSON pattern: ${text}`);
  return p.expr;
};

const SECURITY_HUB = {
  root: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  unauthorized: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  consoleAuthFailure:
    '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  kmsDisable:
    "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
};

describe("AWS documentation conformance vectors", () => {
  test("the fixture has the 47 documented cases", () => {
    expect(cases).toHaveLength(47);
  });

  test.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    expect(matchesFilterPattern(c.pattern, c.log_event)).toBe(c.expected === "match");
  });
});

describe("JSON semantics", () => {
  const event = {
    name: "PutEvent",
    ip: "10.1.2.3",
    n: 404,
    numText: "1500",
    flag: true,
    off: false,
    nothing: null,
    list: [1, 2],
    obj: { "a-b": { c_d: "x" } },
    grid: [
      [0, 1],
      [2, 3],
    ],
  };
  const m = (pattern: string, e: unknown = event): boolean => matchesFilterPattern(pattern, e);

  test("wildcards only at the start or end; inside, * is literal", () => {
    expect(m("{ $.name = *Event }")).toBe(true);
    expect(m("{ $.name = Put* }")).toBe(true);
    expect(m('{ $.name = "*tEv*" }')).toBe(true);
    expect(m('{ $.name = "Pu*ent" }')).toBe(false);
    expect(m('{ $.star = "Ev*ent" }', { star: "Ev*ent" })).toBe(true);
    expect(m("{ $.n = 4* }")).toBe(true);
    expect(m("{ $.ip = 10.1.* }")).toBe(true);
  });

  test("string comparison is case-sensitive", () => {
    expect(m("{ $.name = putevent }")).toBe(false);
    expect(m("{ $.name = PutEvent }")).toBe(true);
  });

  test("numbers compare numerically, also against strings that spell a number", () => {
    expect(m("{ $.n = 404 }")).toBe(true);
    expect(m("{ $.n = 4.04e2 }")).toBe(true);
    expect(m("{ $.n >= 400 && $.n < 500 }")).toBe(true);
    expect(m("{ $.n > +404 }")).toBe(false);
    expect(m("{ $.numText > 1000 }")).toBe(true);
    expect(m("{ $.name > 1 }")).toBe(false);
    expect(m("{ $.missing < 1 }")).toBe(false);
  });

  test("only string and number nodes take part in = and !=", () => {
    for (const sel of ["$.flag", "$.nothing", "$.list", "$.obj"]) {
      expect(m(`{ ${sel} = * }`)).toBe(false);
      expect(m(`{ ${sel} != "x" }`)).toBe(false);
    }
  });

  test("IS NULL, IS TRUE, IS FALSE and NOT EXISTS are exact", () => {
    expect(m("{ $.nothing IS NULL }")).toBe(true);
    expect(m("{ $.missing IS NULL }")).toBe(false);
    expect(m("{ $.nothing NOT EXISTS }")).toBe(false);
    expect(m("{ $.missing NOT EXISTS }")).toBe(true);
    expect(m("{ $.flag IS TRUE && $.off IS FALSE }")).toBe(true);
    expect(m("{ $.flag IS TRUE }", { flag: "true" })).toBe(false);
    expect(m("{ $.off IS FALSE }", { off: 0 })).toBe(false);
  });

  test("selectors with indexes, nested indexes, - and _ in names", () => {
    expect(m("{ $.list[1] = 2 }")).toBe(true);
    expect(m("{ $.list[2] NOT EXISTS }")).toBe(true);
    expect(m("{ $.grid[1][0] = 2 }")).toBe(true);
    expect(m("{ $.obj.a-b.c_d = x }")).toBe(true);
    expect(m("{ $.obj[0] NOT EXISTS }")).toBe(true);
    expect(m("{ $.toString NOT EXISTS }")).toBe(true); // prototype keys are not fields
  });

  test("raw JSON lines are parsed; other lines never match a JSON pattern", () => {
    expect(m("{ $.a = 1 }", '{"a": 1}')).toBe(true);
    expect(m("{ $.a NOT EXISTS }", "[ERROR] not json")).toBe(false);
    expect(m("{ $.a NOT EXISTS }", "[1, 2]")).toBe(false);
    expect(m("{ $.a NOT EXISTS }", null)).toBe(false);
  });

  test("whitespace is optional around operators", () => {
    expect(m('{$.name="PutEvent"&&($.n!=1||$.n<=0)}')).toBe(true);
  });
});

describe("!= on a missing field", () => {
  test("does not match by default (the decision, exported as a constant)", () => {
    expect(NOT_EQUALS_MATCHES_MISSING_FIELD).toBe(false);
    expect(matchesFilterPattern('{ $.a != "x" }', {})).toBe(false);
    expect(matchesFilterPattern('{ $.a != "x" }', { a: "y" })).toBe(true);
    expect(matchesFilterPattern('{ $.a != "x" }', { a: "x" })).toBe(false);
    expect(matchesFilterPattern("{ $.a.b != 1 }", { a: "flat" })).toBe(false);
  });

  test("the other reading can be switched on for testing", () => {
    const opts = { notEqualsMatchesMissingField: true };
    expect(matchesFilterPattern('{ $.a != "x" }', {}, opts)).toBe(true);
    expect(matchesFilterPattern('{ $.a != "x" }', { a: "x" }, opts)).toBe(false);
    // Present but not a value node is still no match.
    expect(matchesFilterPattern('{ $.a != "x" }', { a: null }, opts)).toBe(false);
  });

  test.each([
    ['{ ($.a != "x") || ($.a NOT EXISTS) }', {}, true],
    ['{ ($.a = *) && ($.a != "x") }', {}, false],
    ['{ ($.a = *) && ($.a != "x") }', { a: "y" }, true],
  ])("%s does not depend on it", (pattern, event, expected) => {
    for (const notEqualsMatchesMissingField of [false, true]) {
      expect(matchesFilterPattern(pattern, event, { notEqualsMatchesMissingField })).toBe(expected);
    }
  });

  test("the Security Hub root pattern gives the same answers both ways on the real records", () => {
    const strict = compileFilterPattern(SECURITY_HUB.root);
    const loose = compileFilterPattern(SECURITY_HUB.root, { notEqualsMatchesMissingField: true });
    for (const r of records) expect(loose(r)).toBe(strict(r));
  });
});

describe("text patterns", () => {
  const m = matchesFilterPattern;

  test("terms are case-sensitive substrings", () => {
    expect(m("ERROR", "Exiting with ERRORCODE: -1")).toBe(true);
    expect(m("ERROR", "error")).toBe(false);
  });

  test("exclusions, phrases, any-of", () => {
    expect(m("ERROR -Exiting", "Exiting with ERRORCODE: -1")).toBe(false);
    expect(m('ERROR -"with ERR"', "[ERROR] A fatal exception")).toBe(true);
    expect(m('"Failed to process" request', "[WARN] Failed to process the request")).toBe(true);
    expect(m('?WARN ?"fatal exception"', "[ERROR] A fatal exception")).toBe(true);
    expect(m("?WARN ?INFO", "[ERROR] A fatal exception")).toBe(false);
  });

  test('the empty pattern and " " match everything', () => {
    expect(m("", "x")).toBe(true);
    expect(m('" "', "nospace")).toBe(true);
  });

  test("an object event is matched against its JSON text", () => {
    expect(m("ConsoleLogin", { eventName: "ConsoleLogin" })).toBe(true);
  });

  test("parse result keeps each term's mode", () => {
    expect(parseFilterPattern('ERROR -"bad thing" x_1')).toEqual({
      kind: "text",
      terms: [
        { mode: "required", text: "ERROR", quoted: false },
        { mode: "excluded", text: "bad thing", quoted: true },
        { mode: "required", text: "x_1", quoted: false },
      ],
    });
  });
});

describe("parse errors carry the position", () => {
  test.each([
    ["{ ($.a = 1) && ) }", 15, 'unexpected ")" at position 15: expected a selector'],
    ["{}", 1, 'unexpected "}" at position 1: expected a selector'],
    ["{ $.a = }", 8, "expected a value"],
    ['{ $.a = "x" ', 12, 'unexpected end of pattern at position 12: expected "&&", "||" or "}"'],
    ['{ $.a = "x }', 12, "expected a closing"],
    [
      "{ $.a IS NOT NULL }",
      9,
      'unexpected "NOT" at position 9: expected "NULL", "TRUE" or "FALSE"',
    ],
    ["{ $.a EXISTS }", 6, "expected a comparison operator"],
    ['{ $.a < "5" }', 8, 'expected a number after "<"'],
    ["{ $.a > x }", 8, "expected a number"],
    ["{ $a = 1 }", 3, 'expected "." after "$"'],
    ["{ $.a[x] = 1 }", 6, "expected an array index"],
    ["{ $.a. = 1 }", 6, "expected a property name"],
    ["{ $.a = 1 } x", 12, "expected end of pattern"],
    ["{ $.a = foo@bar }", 11, 'unexpected "@" at position 11'],
    ["{ $.a = 1 && }", 13, "expected a selector"],
    ["{ ($.a = 1 }", 11, 'expected "&&", "||" or ")"'],
    ["{ $.a == 1 }", 7, "expected a value"],
    ["{ a = 1 }", 2, 'unexpected "a" at position 2: expected a selector'],
    ["[ip, user, status_code = 4*]", 0, "space-delimited"],
    ["%ERR%", 0, "regex"],
    ["ERROR:", 5, "a space between terms"],
    ["ERROR !x", 6, "expected a term"],
    ["ERROR ?WARN", 0, "mix of ?terms"],
    ['ERROR "unclosed', 15, "expected a closing"],
  ])("%s", (pattern, position, message) => {
    let error: unknown;
    try {
      parseFilterPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterPatternError);
    expect((error as FilterPatternError).position).toBe(position);
    expect((error as FilterPatternError).message).toContain(message);
    expect((error as FilterPatternError).message).toContain(`position ${position}`);
  });
});

describe("normalization and formatting", () => {
  test.each([
    [
      SECURITY_HUB.consoleAuthFailure,
      '{ $.errorMessage = "Failed authentication" && $.eventName = "ConsoleLogin" }',
    ],
    ["{ ($.a = 1 && $.b = 2) && $.c = 3 }", "{ $.c = 3 && ($.b = 2 && ($.a = 1)) }"],
    ["{ $.a = x || $.b = y }", '{ ($.b = "y") || ($.a = "x") || $.a = x }'],
    ["{ $.latency > +1000 }", "{ $.latency > 1e3 }"],
    ["{ ($.a = 1) }", "{ $.a = 1 }"],
    ["{ $.a[01] IS NULL }", "{ $.a[1] IS NULL }"],
  ])("%s equals %s", (a, b) => {
    expect(normalizeFilterExpr(jsonExpr(a))).toEqual(normalizeFilterExpr(jsonExpr(b)));
  });

  test.each([
    ["{ $.a = 1 && $.b = 2 || $.c = 3 }", "{ $.a = 1 && ($.b = 2 || $.c = 3) }"],
    ['{ $.a = "1" }', "{ $.a = 1 }"], // a string and a number are different values
    ["{ $.a = x }", "{ $.a = X }"],
  ])("%s differs from %s", (a, b) => {
    expect(normalizeFilterExpr(jsonExpr(a))).not.toEqual(normalizeFilterExpr(jsonExpr(b)));
  });

  test("canonical text puts each term in parentheses", () => {
    expect(formatFilterExpr(jsonExpr(SECURITY_HUB.kmsDisable))).toBe(
      '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }',
    );
    expect(formatFilterExpr(jsonExpr("{$.b=2&&$.a!=x}"))).toBe('{ ($.a != "x") && ($.b = 2) }');
    expect(formatFilterExpr(jsonExpr("{ $.a NOT EXISTS }"))).toBe("{ $.a NOT EXISTS }");
  });

  const roundTripPatterns = [
    ...new Set(cases.filter((c) => c.pattern.trim().startsWith("{")).map((c) => c.pattern)),
    ...Object.values(SECURITY_HUB),
    "{ ($.a = 1 || ($.b IS TRUE && $.c IS FALSE)) && $.d[0][2].e <= -2.5e-3 && $.f = * }",
  ];

  test.each(roundTripPatterns)("parse(format(e)) equals normalize(e): %s", (pattern) => {
    const expr = jsonExpr(pattern);
    const text = formatFilterExpr(expr);
    expect(jsonExpr(text)).toEqual(normalizeFilterExpr(expr));
    expect(formatFilterExpr(jsonExpr(text))).toBe(text);
    // Formatting never changes what matches.
    for (const c of cases.filter((x) => typeof x.log_event === "object")) {
      expect(matchesFilterPattern(text, c.log_event)).toBe(
        matchesFilterPattern(pattern, c.log_event),
      );
    }
  });

  test("formatting refuses a string it cannot quote", () => {
    const expr: FilterExpr = {
      op: "cmp",
      selector: "$.a",
      comparator: "=",
      value: { kind: "string", value: 'say "hi"', quoted: true },
    };
    expect(() => formatFilterExpr(expr)).toThrow(/cannot contain/);
  });
});

describe("renderConditionToFilterPattern", () => {
  test.each<[Condition, string]>([
    [eq("eventName", "ConsoleLogin"), '{ $.eventName = "ConsoleLogin" }'],
    [eq("f", "a", "b"), '{ ($.f = "a") || ($.f = "b") }'],
    [eq("n", 5), "{ $.n = 5 }"],
    [eq("readOnly", false), "{ $.readOnly IS FALSE }"],
    [eq("flag", true, false), "{ ($.flag IS TRUE) || ($.flag IS FALSE) }"],
    [ne("additionalEventData.MFAUsed", "Yes"), '{ $.additionalEventData.MFAUsed != "Yes" }'],
    [ne("n", -1.5), "{ $.n != -1.5 }"],
    [prefix("errorCode", "AccessDenied"), '{ $.errorCode = "AccessDenied*" }'],
    [suffix("errorCode", "UnauthorizedOperation"), '{ $.errorCode = "*UnauthorizedOperation" }'],
    [absent("userIdentity.invokedBy"), "{ $.userIdentity.invokedBy NOT EXISTS }"],
    [
      eq("resources[].ARN", "x"),
      '{ ($.resources[0].ARN = "x") || ($.resources[1].ARN = "x") || ($.resources[2].ARN = "x") || ($.resources[3].ARN = "x") }',
    ],
    [
      contains("requestParameters.policy", "Principal"),
      '{ $.requestParameters.policy = "*Principal*" }',
    ],
    [notPrefix("principal", "arn:"), '{ $.principal != "arn:*" }'],
    [notSuffix("principal", ".amazonaws.com"), '{ $.principal != "*.amazonaws.com" }'],
    [notContains("userAgent", "Terraform"), '{ $.userAgent != "*Terraform*" }'],
    [present("requestParameters.userData"), '{ $.requestParameters.userData = "*" }'],
    [
      present("requestParameters.valuesToAdd[]"),
      '{ ($.requestParameters.valuesToAdd[0] = "*") || ($.requestParameters.valuesToAdd[1] = "*") || ($.requestParameters.valuesToAdd[2] = "*") || ($.requestParameters.valuesToAdd[3] = "*") }',
    ],
    [
      absent("a[].b"),
      "{ ($.a[0].b NOT EXISTS) && ($.a[1].b NOT EXISTS) && ($.a[2].b NOT EXISTS) && ($.a[3].b NOT EXISTS) }",
    ],
    [
      eq("a[].b[]", "x"),
      '{ ($.a[0].b[0] = "x") || ($.a[0].b[1] = "x") || ($.a[0].b[2] = "x") || ($.a[0].b[3] = "x") || ($.a[1].b[0] = "x") || ($.a[1].b[1] = "x") || ($.a[1].b[2] = "x") || ($.a[1].b[3] = "x") || ($.a[2].b[0] = "x") || ($.a[2].b[1] = "x") || ($.a[2].b[2] = "x") || ($.a[2].b[3] = "x") || ($.a[3].b[0] = "x") || ($.a[3].b[1] = "x") || ($.a[3].b[2] = "x") || ($.a[3].b[3] = "x") }',
    ],
    [lte("requestParameters.days", 7), "{ $.requestParameters.days <= 7 }"],
    [
      all(gt("n", -1.5), lt("n", 1e3), gte("m", 0)),
      "{ ($.n > -1.5) && ($.n < 1000) && ($.m >= 0) }",
    ],
    [
      all(
        eq("eventSource", "kms.amazonaws.com"),
        eq("eventName", "DisableKey", "ScheduleKeyDeletion"),
      ),
      '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }',
    ],
    [
      all(all(eq("a", "1"), eq("b", "2")), any(eq("c", "3"), any(eq("d", "4")))),
      '{ ($.a = "1") && ($.b = "2") && (($.c = "3") || ($.d = "4")) }',
    ],
  ])("%j", (condition, expected) => {
    expect(renderConditionToFilterPattern(condition)).toBe(expected);
    expect(jsonExpr(expected)).toEqual(
      JSON.parse(JSON.stringify(conditionToFilterExpr(condition))) as FilterExpr,
    );
  });

  test("renders the Security Hub patterns up to normalization", () => {
    const same = (c: Condition, pattern: string): void =>
      expect(normalizeFilterExpr(conditionToFilterExpr(c))).toEqual(
        normalizeFilterExpr(jsonExpr(pattern)),
      );
    same(
      all(
        eq("userIdentity.type", "Root"),
        absent("userIdentity.invokedBy"),
        ne("eventType", "AwsServiceEvent"),
      ),
      SECURITY_HUB.root,
    );
    same(
      any(suffix("errorCode", "UnauthorizedOperation"), prefix("errorCode", "AccessDenied")),
      SECURITY_HUB.unauthorized,
    );
    same(
      all(eq("eventName", "ConsoleLogin"), eq("errorMessage", "Failed authentication")),
      SECURITY_HUB.consoleAuthFailure,
    );
    same(
      all(
        eq("eventSource", "kms.amazonaws.com"),
        eq("eventName", "DisableKey", "ScheduleKeyDeletion"),
      ),
      SECURITY_HUB.kmsDisable,
    );
  });

  test.each<[string, Condition]>([
    ["a double quote", eq("f", 'say "hi"')],
    ["a * inside", eq("f", "a*b")],
    ["a * in a prefix", prefix("f", "a*")],
    ["a backslash", suffix("f", "C:\\x")],
    ["a newline", ne("f", "a\nb")],
    ["an empty equals", { field: "f", equals: [] }],
    ["an empty all", all()],
    ["an empty any", any()],
    ["notEquals a boolean", ne("f", true)],
    ["a field with a colon", eq("aws:SourceIp", "1.2.3.4")],
    ["a field with a space", eq("a b", "x")],
    ["an empty prefix", prefix("f", "")],
    ["an empty notContains", notContains("f", "")],
    ["a * in contains", contains("f", "a*b")],
    ["an explicit index", eq("resources[0].ARN", "x")],
    ["a non-finite bound", lt("n", Number.POSITIVE_INFINITY)],
    ["a bracket inside a name", eq("a[x]", "x")],
    ["a non-finite number", eq("f", Number.NaN)],
  ])("throws on %s", (_what, condition) => {
    expect(() => renderConditionToFilterPattern(condition)).toThrow();
  });

  // A direct reading of the Condition docs, to check the rendered patterns on real records.
  const fieldValue = (record: unknown, field: string): unknown => {
    let node: unknown = record;
    for (const key of field.split(".")) {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
      if (!Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  const holds = (c: Condition, r: unknown): boolean => {
    if ("all" in c) return c.all.every((x) => holds(x, r));
    if ("any" in c) return c.any.some((x) => holds(x, r));
    const v = fieldValue(r, c.field);
    if ("equals" in c) return c.equals.some((x: Scalar) => x === v);
    if ("notEquals" in c) return v !== undefined && v !== c.notEquals;
    if ("prefix" in c) return typeof v === "string" && v.startsWith(c.prefix);
    if ("suffix" in c) return typeof v === "string" && v.endsWith(c.suffix);
    return v === undefined;
  };

  test.each<[string, Condition]>([
    [
      "root usage",
      all(
        eq("userIdentity.type", "Root"),
        absent("userIdentity.invokedBy"),
        ne("eventType", "AwsServiceEvent"),
      ),
    ],
    [
      "unauthorized calls",
      any(suffix("errorCode", "UnauthorizedOperation"), prefix("errorCode", "AccessDenied")),
    ],
    [
      "console login without MFA",
      all(eq("eventName", "ConsoleLogin"), ne("additionalEventData.MFAUsed", "Yes")),
    ],
    ["read-only calls", eq("readOnly", true)],
    ["IAM or STS", any(eq("eventSource", "iam.amazonaws.com", "sts.amazonaws.com"))],
    ["not AwsApiCall", ne("eventType", "AwsApiCall")],
  ])("%s: rendered pattern agrees with the condition on every record", (_name, condition) => {
    const matcher = compileFilterPattern(renderConditionToFilterPattern(condition));
    let hits = 0;
    for (const r of records) {
      expect([r.eventID, matcher(r)]).toEqual([r.eventID, holds(condition, r)]);
      if (holds(condition, r)) hits++;
    }
    expect(hits).toBeGreaterThan(0);
  });
});

describe("Security Hub patterns", () => {
  const base = {
    eventVersion: "1.08",
    eventType: "AwsApiCall",
    userIdentity: { type: "IAMUser", userName: "alice" },
  };

  test("root usage", () => {
    const root = { ...base, userIdentity: { type: "Root" } };
    expect(matchesFilterPattern(SECURITY_HUB.root, root)).toBe(true);
    expect(
      matchesFilterPattern(SECURITY_HUB.root, {
        ...root,
        userIdentity: { type: "Root", invokedBy: "support.amazonaws.com" },
      }),
    ).toBe(false);
    expect(matchesFilterPattern(SECURITY_HUB.root, { ...root, eventType: "AwsServiceEvent" })).toBe(
      false,
    );
    expect(matchesFilterPattern(SECURITY_HUB.root, base)).toBe(false);
  });

  test("unauthorized API calls", () => {
    const p = SECURITY_HUB.unauthorized;
    expect(matchesFilterPattern(p, { ...base, errorCode: "Client.UnauthorizedOperation" })).toBe(
      true,
    );
    expect(matchesFilterPattern(p, { ...base, errorCode: "AccessDeniedException" })).toBe(true);
    expect(matchesFilterPattern(p, { ...base, errorCode: "ThrottlingException" })).toBe(false);
    expect(matchesFilterPattern(p, base)).toBe(false);
  });

  test("console authentication failures", () => {
    const p = SECURITY_HUB.consoleAuthFailure;
    const login = { ...base, eventName: "ConsoleLogin" };
    expect(matchesFilterPattern(p, { ...login, errorMessage: "Failed authentication" })).toBe(true);
    expect(matchesFilterPattern(p, { ...login, errorMessage: "failed authentication" })).toBe(
      false,
    );
    expect(matchesFilterPattern(p, login)).toBe(false);
  });

  test("KMS key disabling or deletion", () => {
    const p = SECURITY_HUB.kmsDisable;
    const kms = { ...base, eventSource: "kms.amazonaws.com" };
    expect(matchesFilterPattern(p, { ...kms, eventName: "DisableKey" })).toBe(true);
    expect(matchesFilterPattern(p, { ...kms, eventName: "ScheduleKeyDeletion" })).toBe(true);
    expect(matchesFilterPattern(p, { ...kms, eventName: "EnableKey" })).toBe(false);
    expect(
      matchesFilterPattern(p, {
        ...kms,
        eventSource: "kms.amazonaws.com.evil",
        eventName: "DisableKey",
      }),
    ).toBe(false);
  });
});

describe("real CloudTrail records", () => {
  test("there are 734", () => {
    expect(records).toHaveLength(734);
  });

  test("{ $.eventName = * } matches every record, as objects and as raw lines", () => {
    const matcher = compileFilterPattern("{ $.eventName = * }");
    for (const r of records) {
      expect(matcher(r)).toBe(true);
      expect(matcher(JSON.stringify(r))).toBe(true);
    }
  });

  test("every Security Hub pattern evaluates on every record", () => {
    for (const pattern of Object.values(SECURITY_HUB)) {
      const matcher = compileFilterPattern(pattern);
      const hits = records.filter((r) => matcher(r)).length;
      expect(hits).toBeGreaterThanOrEqual(0);
      expect(hits).toBeLessThan(records.length);
    }
    const unauthorized = compileFilterPattern(SECURITY_HUB.unauthorized);
    // 37 Client.UnauthorizedOperation + 3 UnauthorizedOperation + 28 AccessDenied (+ AccessDenied*).
    expect(records.filter((r) => unauthorized(r)).length).toBeGreaterThanOrEqual(68);
  });
});
