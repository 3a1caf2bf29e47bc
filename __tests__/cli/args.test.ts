import { parseCommandLine, UsageError } from "../../src/cli/args";
import { parseArgs as backtestArgs } from "../../src/backtest/cli";
import { parseArgs as sigmaArgs } from "../../src/sigma/cli";

const options = { json: { type: "boolean" }, only: { type: "string" } } as const;

describe("parseCommandLine", () => {
  it("reads --name value, --name=value, positionals anywhere and everything after --", () => {
    const r = parseCommandLine(
      ["a", "--only", "x,y", "b", "--json", "--", "--not-an-option"],
      options,
    );
    expect(r.values).toEqual({ only: "x,y", json: true });
    expect(r.positionals).toEqual(["a", "b", "--not-an-option"]);
    expect(parseCommandLine(["--only=z"], options).values.only).toBe("z");
  });

  it.each([
    [["--nope"], /--nope/],
    [["--only"], /--only/],
    [["--json=yes"], /--json/],
  ])("refuses %j with a UsageError naming the option", (argv, message) => {
    expect(() => parseCommandLine(argv, options)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, options)).toThrow(message);
  });
});

describe("the commands' parsers", () => {
  it("backtest: values converted and checked", () => {
    expect(
      backtestArgs(["logs", "--only", " a, ,b ", "--period=300", "--jobs", "2"]),
    ).toMatchObject({
      paths: ["logs"],
      only: ["a", "b"],
      period: 300,
      jobs: 2,
      json: false,
      exhaustive: false,
    });
    expect(() => backtestArgs(["logs", "--period", "90"])).toThrow(/--period .*\(got 90\)/);
    expect(() => backtestArgs(["logs", "--jobs", "0"])).toThrow(
      /--jobs must be a positive whole number/,
    );
    expect(() => backtestArgs([])).toThrow("name at least one file or directory");
    expect(backtestArgs(["-h"]).help).toBe(true);
  });

  it("sigma: --delivery and --license checked", () => {
    expect(sigmaArgs(["r.yml", "--delivery", "alarm", "--license", " DRL-1.1 "])).toMatchObject({
      paths: ["r.yml"],
      delivery: "alarm",
      license: "DRL-1.1",
      write: false,
    });
    expect(() => sigmaArgs(["r.yml", "--delivery", "sms"])).toThrow(
      '--delivery must be event, alarm or both (got "sms")',
    );
    expect(() => sigmaArgs(["r.yml", "--license="])).toThrow("--license needs a non-empty value");
  });
});
