import { parseSigmaCondition } from "../../src/sigma/condition";
import { compileSigmaRule, SigmaEvaluationError } from "../../src/sigma/evaluate";
import { base64Offsets, fieldMatch, SigmaRuleError } from "../../src/sigma/modifiers";
import { parseSigmaFile, parseSigmaRule, timespanSeconds } from "../../src/sigma/rule";
import { parseSigmaString } from "../../src/sigma/sigma-string";

/** A CloudTrail rule with the given detection (YAML, indented under `detection:`). */
function rule(detection: string): ReturnType<typeof parseSigmaRule> {
  return parseSigmaRule(
    `title: t\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n${detection
      .trim()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}\n`,
  );
}

const matches = (detection: string, event: object) => compileSigmaRule(rule(detection))(event);

describe("Sigma strings (specification: String Wildcard, Escape Character)", () => {
  test("* and ? are wildcards; backslash escapes *, ? and itself only", () => {
    expect(parseSigmaString("a*b?c")).toEqual([
      { text: "a" },
      "*",
      { text: "b" },
      "?",
      { text: "c" },
    ]);
    expect(parseSigmaString("\\*")).toEqual([{ text: "*" }]);
    expect(parseSigmaString("C:\\Windows")).toEqual([{ text: "C:\\Windows" }]);
    expect(parseSigmaString("\\\\*")).toEqual([{ text: "\\" }, "*"]);
    expect(parseSigmaString("\\\\\\*")).toEqual([{ text: "\\*" }]);
    expect(parseSigmaString("\\\\\\\\")).toEqual([{ text: "\\\\" }]);
  });

  test("matching is case-insensitive and whole-value, wildcards included", () => {
    expect(matches("s:\n    f: 'NO'\ncondition: s", { f: "No" })).toBe(true);
    expect(matches("s:\n    f: 'NO'\ncondition: s", { f: "Not" })).toBe(false);
    expect(matches("s:\n    f: 'a?c'\ncondition: s", { f: "ABC" })).toBe(true);
    expect(matches("s:\n    f: 'a?c'\ncondition: s", { f: "abbc" })).toBe(false);
    expect(matches("s:\n    f|cased: 'NO'\ncondition: s", { f: "No" })).toBe(false);
  });
});

describe("field values (specification: General, Special Field Values, Field Existence)", () => {
  test("numbers and booleans are strings: 'true' matches JSON true, 5 matches \"5\"", () => {
    expect(matches("s:\n    f: 'true'\ncondition: s", { f: true })).toBe(true);
    expect(matches("s:\n    f: false\ncondition: s", { f: "FALSE" })).toBe(true);
    expect(matches("s:\n    f: 5\ncondition: s", { f: "5" })).toBe(true);
    expect(matches("s:\n    f: '5'\ncondition: s", { f: 5 })).toBe(true);
  });

  test("null is an absent field; exists is presence whatever the value", () => {
    expect(matches("s:\n    f: null\ncondition: s", {})).toBe(true);
    expect(matches("s:\n    f: null\ncondition: s", { f: "x" })).toBe(false);
    expect(matches("s:\n    f|exists: true\ncondition: s", { f: null })).toBe(true);
    expect(matches("s:\n    f|exists: true\ncondition: s", { f: {} })).toBe(true);
    expect(matches("s:\n    f|exists: false\ncondition: s", { g: 1 })).toBe(true);
  });

  test("dotted fields follow objects and every element of arrays; objects are not values", () => {
    const e = { a: { b: [{ c: ["x", "needle y"] }, { c: "z" }] }, o: { k: "v" } };
    expect(matches("s:\n    a.b.c|contains: needle\ncondition: s", e)).toBe(true);
    expect(matches("s:\n    a.b.c: z\ncondition: s", e)).toBe(true);
    expect(matches("s:\n    o|contains: 'v'\ncondition: s", e)).toBe(false);
    expect(matches("s:\n    o: '*'\ncondition: s", e)).toBe(false);
  });

  test("lists are OR, |all is AND, maps are AND, lists of maps are OR", () => {
    expect(matches("s:\n    f:\n        - a\n        - b\ncondition: s", { f: "b" })).toBe(true);
    const allOf = "s:\n    f|contains|all:\n        - a\n        - b\ncondition: s";
    expect(matches(allOf, { f: "xaxbx" })).toBe(true);
    expect(matches(allOf, { f: "xax" })).toBe(false);
    expect(matches("s:\n    f: a\n    g: b\ncondition: s", { f: "a", g: "c" })).toBe(false);
    expect(matches("s:\n    - f: a\n    - g: b\ncondition: s", { f: "x", g: "b" })).toBe(true);
  });

  test("keywords search the whole event text", () => {
    expect(matches("k:\n    - mimikatz\ncondition: k", { a: { b: "ran MIMIKATZ.exe" } })).toBe(
      true,
    );
    expect(matches("k:\n    - mimikatz\ncondition: k", { a: "x" })).toBe(false);
    expect(
      matches("k:\n    '|all':\n        - a1\n        - b2\ncondition: k", { x: "a1 b2" }),
    ).toBe(true);
  });
});

describe("modifiers (sigma-appendix-modifiers.md)", () => {
  test("contains, startswith, endswith", () => {
    expect(matches("s:\n    f|startswith: ab\ncondition: s", { f: "ABC" })).toBe(true);
    expect(matches("s:\n    f|endswith: bc\ncondition: s", { f: "abc" })).toBe(true);
    expect(matches("s:\n    f|endswith: ab\ncondition: s", { f: "abc" })).toBe(false);
  });

  test("re (case-sensitive unless |i, searched anywhere), cidr, fieldref, numeric comparisons", () => {
    expect(matches("s:\n    f|re: 'a.c'\ncondition: s", { f: "xabcx" })).toBe(true);
    expect(matches("s:\n    f|re: '^a.c$'\ncondition: s", { f: "ABC" })).toBe(false);
    expect(matches("s:\n    f|re|i: '^a.c$'\ncondition: s", { f: "ABC" })).toBe(true);
    expect(matches("s:\n    ip|cidr: 10.0.0.0/8\ncondition: s", { ip: "10.1.2.3" })).toBe(true);
    expect(matches("s:\n    ip|cidr: 10.0.0.0/8\ncondition: s", { ip: "11.1.2.3" })).toBe(false);
    expect(matches("s:\n    ip|cidr: '2001:db8::/32'\ncondition: s", { ip: "2001:db8::1" })).toBe(
      true,
    );
    expect(matches("s:\n    a|fieldref: b\ncondition: s", { a: "X", b: "x" })).toBe(true);
    expect(matches("s:\n    a|fieldref: b\ncondition: s", { a: "X", b: "y" })).toBe(false);
    expect(matches("s:\n    n|gte: 10\ncondition: s", { n: "12" })).toBe(true);
    expect(matches("s:\n    n|lt: 10\ncondition: s", { n: 12 })).toBe(false);
    expect(matches("s:\n    f|neq: a\ncondition: s", { f: "b" })).toBe(true);
    expect(matches("s:\n    f|neq: a\ncondition: s", { f: "A" })).toBe(false);
  });

  test("base64, base64offset (pySigma's three offsets), windash", () => {
    expect(matches("s:\n    f|base64: 'cmd'\ncondition: s", { f: "Y21k" })).toBe(true);
    expect(base64Offsets(Buffer.from("http://"))).toEqual(["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]);
    const offsets = "s:\n    f|base64offset|contains: 'http://'\ncondition: s";
    for (const prefix of ["", "a", "ab"])
      expect(matches(offsets, { f: Buffer.from(`${prefix}http://x`).toString("base64") })).toBe(
        true,
      );
    const dash = "s:\n    f|windash|contains: ' -enc '\ncondition: s";
    expect(matches(dash, { f: "powershell /enc abc" })).toBe(true);
    expect(matches(dash, { f: "powershell \u2013enc abc" })).toBe(true);
  });

  test("placeholders and date parts need more than one event", () => {
    expect(() => compileSigmaRule(rule("s:\n    f|expand: '%Admins%'\ncondition: s"))).toThrow(
      SigmaEvaluationError,
    );
  });

  test("the specification's errors: unknown modifier, all on one value, null in a list", () => {
    expect(() => fieldMatch("f|nope", "x")).toThrow(/unknown modifier "nope"/);
    expect(() => fieldMatch("f|contains|all", "x")).toThrow(/needs a list of two or more/);
    expect(() => fieldMatch("f", ["a", null])).toThrow(/null cannot be part of a list/);
    expect(() => fieldMatch("f|base64", "a*")).toThrow(/cannot encode the wildcards/);
    expect(() => fieldMatch("f|i", "a")).toThrow(/sub-modifier of "re"/);
    expect(() => fieldMatch("f|exists", "maybe")).toThrow(/takes true or false/);
    expect(() => fieldMatch("f|cidr", "10.0.0.0")).toThrow(/not a CIDR range/);
  });
});

describe("conditions (specification: Condition)", () => {
  const ids = ["selection", "selection_b", "filter_x", "filter_y", "_hidden"];

  test("precedence: or < and < not < x of < parentheses", () => {
    expect(parseSigmaCondition("selection or selection_b and not filter_x", ids).expr).toEqual({
      op: "or",
      terms: [
        { op: "ref", name: "selection" },
        {
          op: "and",
          terms: [
            { op: "ref", name: "selection_b" },
            { op: "not", term: { op: "ref", name: "filter_x" } },
          ],
        },
      ],
    });
    expect(parseSigmaCondition("(selection or selection_b) and filter_x", ids).expr).toMatchObject({
      op: "and",
    });
  });

  test("1 of / all of patterns and them (them skips identifiers starting with _)", () => {
    expect(parseSigmaCondition("1 of filter_*", ids).expr).toEqual({
      op: "or",
      terms: [
        { op: "ref", name: "filter_x" },
        { op: "ref", name: "filter_y" },
      ],
    });
    expect(parseSigmaCondition("all of them", ids).expr).toEqual({
      op: "and",
      terms: ["selection", "selection_b", "filter_x", "filter_y"].map((name) => ({
        op: "ref",
        name,
      })),
    });
    expect(parseSigmaCondition("1 of selection", ids).expr).toEqual({
      op: "ref",
      name: "selection",
    });
  });

  test("errors name the condition and what was expected", () => {
    expect(() => parseSigmaCondition("selection and", ids)).toThrow(
      'condition "selection and": expected a search identifier at the end',
    );
    expect(() => parseSigmaCondition("nothing", ids)).toThrow(/no search identifier "nothing"/);
    expect(() => parseSigmaCondition("1 of zzz*", ids)).toThrow(/matches no search identifier/);
    expect(() => parseSigmaCondition("2 of them", ids)).toThrow(/only "1 of" and "all of"/);
    expect(() => parseSigmaCondition("(selection", ids)).toThrow(/expected "\)"/);
  });

  test("aggregations are parsed for tools to judge", () => {
    expect(
      parseSigmaCondition("selection | count() by sourceIPAddress > 5", ids).aggregation,
    ).toEqual({
      text: "count() by sourceIPAddress > 5",
      func: "count",
      field: undefined,
      groupBy: "sourceIPAddress",
      comparator: ">",
      value: 5,
    });
    expect(parseSigmaCondition("selection | near selection_b", ids).aggregation?.func).toBe("near");
    expect(() => parseSigmaCondition("selection | count() lots", ids)).toThrow(
      /cannot read the aggregation/,
    );
  });

  test("a list of conditions is any of them; not holds when the field is missing", () => {
    const r = rule("a:\n    f: x\nb:\n    g: y\ncondition:\n    - a\n    - b");
    expect(compileSigmaRule(r)({ g: "y" })).toBe(true);
    expect(matches("s:\n    f: x\ncondition: not s", {})).toBe(true);
  });
});

describe("documents", () => {
  test("rules, correlations and their errors", () => {
    const results = parseSigmaFile(
      [
        "title: base\nname: base_rule\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: X}\n  condition: s",
        "title: many\ncorrelation:\n  type: event_count\n  rules: [base_rule]\n  timespan: 5m\n  condition: {gte: 10}",
        "title: broken\nlogsource: {product: aws}\ndetection:\n  condition: s",
        "title: bad level\nlevel: urgent\nlogsource: {}\ndetection: {s: {a: 1}, condition: s}",
      ].join("\n---\n"),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
    const c = results[1].ok && results[1].document;
    expect(c).toMatchObject({
      kind: "correlation",
      type: "event_count",
      rules: ["base_rule"],
      timespanSeconds: 300,
      condition: [{ op: "gte", value: 10 }],
      groupBy: [],
    });
    expect(!results[2].ok && results[2].error).toBe("detection has no search identifier");
    expect(!results[3].ok && results[3].error).toMatch(/"level" must be one of informational/);
    expect(parseSigmaFile("a: [")[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not valid YAML/),
    });
    expect(timespanSeconds("90m")).toBe(5400);
    expect(() => timespanSeconds("1w")).toThrow(SigmaRuleError);
  });
});
