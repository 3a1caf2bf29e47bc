import {
  formatDiagnostic,
  fromJsonDiagnostic,
  parseHumanDiagnostics,
} from "../../src/validate/diagnostics";

describe("Terraform diagnostics", () => {
  test("a diagnostic of terraform validate -json", () => {
    const d = fromJsonDiagnostic("validate", {
      severity: "error",
      summary: "Unsupported argument",
      detail: 'An argument named "colour" is not expected here.',
      address: "aws_sns_topic.alerts_topic_1A2B3C4D",
      range: { filename: "cdk.tf.json", start: { line: 212, column: 9, byte: 6001 } },
    });
    expect(d).toEqual({
      step: "validate",
      severity: "error",
      summary: "Unsupported argument",
      detail: 'An argument named "colour" is not expected here.',
      address: "aws_sns_topic.alerts_topic_1A2B3C4D",
      where: "cdk.tf.json:212",
    });
    expect(formatDiagnostic(d)).toBe(
      'Error (validate): Unsupported argument [aws_sns_topic.alerts_topic_1A2B3C4D, cdk.tf.json:212]: An argument named "colour" is not expected here.',
    );
  });

  test("boxed errors and warnings of terraform's text output, several at once", () => {
    const text = [
      "Initializing provider plugins...",
      "╷",
      "│ Error: Failed to query available provider packages",
      "│ ",
      "│ Could not retrieve the list of available versions for provider",
      "│ hashicorp/random: provider registry.terraform.io/hashicorp/random was not",
      "│ found in any of the search locations",
      "╵",
      "╷",
      "│ Warning: Incomplete lock file information for providers",
      "│ ",
      "│ Due to your customized provider installation methods, ...",
      "╵",
    ].join("\n");
    const ds = parseHumanDiagnostics("init", text);
    expect(ds).toEqual([
      {
        step: "init",
        severity: "error",
        summary: "Failed to query available provider packages",
        detail:
          "Could not retrieve the list of available versions for provider\nhashicorp/random: provider registry.terraform.io/hashicorp/random was not\nfound in any of the search locations",
      },
      {
        step: "init",
        severity: "warning",
        summary: "Incomplete lock file information for providers",
        detail: "Due to your customized provider installation methods, ...",
      },
    ]);
  });

  test("nothing that looks like a diagnostic gives nothing", () => {
    expect(parseHumanDiagnostics("init", "Terraform has been successfully initialized!")).toEqual(
      [],
    );
  });
});
