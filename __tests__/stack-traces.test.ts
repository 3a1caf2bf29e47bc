import { withCheapStackTraces } from "../src/stack-traces";

describe("withCheapStackTraces", () => {
  test("cdktf's captured traces (plain objects) are left empty; real errors keep name, message and frames", () => {
    const [captured, error] = withCheapStackTraces(() => {
      const target = { stack: "" };
      Error.captureStackTrace(target);
      return [target.stack, new TypeError("boom").stack] as const;
    });
    expect(captured).toBe("");
    expect(error).toMatch(/^TypeError: boom\n {4}at .*stack-traces\.test\.ts:\d+:\d+/);
  });

  test("an Error given to Error.captureStackTrace (as libraries' own error classes do) keeps its trace", () => {
    const stack = withCheapStackTraces(() => {
      const e = new Error("mine");
      Error.captureStackTrace(e);
      return e.stack;
    });
    expect(stack).toMatch(/^Error: mine\n {4}at .*stack-traces\.test\.ts:\d+:\d+/);
  });

  test("a cdktf token's creation stack is empty inside, full outside", () => {
    const { captureStackTrace } = jest.requireActual<{ captureStackTrace: () => string[] }>(
      "cdktf/lib/tokens/private/stack-trace",
    );
    expect(withCheapStackTraces(() => captureStackTrace())).toEqual([]);
    expect(captureStackTrace().length).toBeGreaterThan(0);
  });

  test("the previous formatter is restored, also after a throw", () => {
    const before = Error.captureStackTrace;
    expect(() =>
      withCheapStackTraces(() => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(Error.captureStackTrace).toBe(before);
    const target = { stack: "" };
    Error.captureStackTrace(target);
    expect(target.stack).toMatch(/\n {4}at /);
  });

  test("TRAILWATCH_FULL_STACK_TRACES=1 keeps every trace", () => {
    process.env.TRAILWATCH_FULL_STACK_TRACES = "1";
    try {
      const captured = withCheapStackTraces(() => {
        const target = { stack: "" };
        Error.captureStackTrace(target);
        return target.stack;
      });
      expect(captured).toMatch(/at /);
    } finally {
      delete process.env.TRAILWATCH_FULL_STACK_TRACES;
    }
  });
});
