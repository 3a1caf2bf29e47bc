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

  test("the previous formatter is restored, also after a throw", () => {
    const before = Error.prepareStackTrace;
    expect(() =>
      withCheapStackTraces(() => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(Error.prepareStackTrace).toBe(before);
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
