import { build, resourcesOf, synthJson } from "./helpers";
import { decide, type Question } from "./support/simulate";

/** The cross-region EventBridge role of a regional stack, asked concrete questions. */
const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const { regional } = build({ regions: ["ap-northeast-1", "eu-west-1", "us-east-1"] });
const eu = synthJson(regional.find((s) => s.node.id === "trailwatch-eu-west-1")!);
const [role] = resourcesOf(eu, "aws_iam_role");
const [rolePolicy] = resourcesOf(eu, "aws_iam_role_policy");
const trust = JSON.parse(role.assume_role_policy);
const permissions = JSON.parse(rolePolicy.policy);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${role.name}`;
const HOME_BUS = `arn:aws:events:ap-northeast-1:${ACCOUNT}:event-bus/default`;
const AS_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/events`;

const assume = (principal: string, context: Record<string, string>): Question => ({
  principal,
  action: "sts:AssumeRole",
  resource: ROLE,
  resourceAccount: ACCOUNT,
  context,
  resourcePolicy: trust,
});
const act = (action: string, resource: string): Question => ({
  principal: AS_ROLE,
  action,
  resource,
  resourceAccount: ACCOUNT,
  identityPolicies: [permissions],
});

describe("cross-region forwarding role (eu-west-1)", () => {
  test.each([
    [
      "trailwatch rules of this account and region may assume it",
      assume("events.amazonaws.com", {
        "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/trailwatch-nacl-changed`,
        "aws:SourceAccount": ACCOUNT,
      }),
      "Allowed",
    ],
    [
      "another rule of this account may not",
      assume("events.amazonaws.com", {
        "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/someone-elses-rule`,
        "aws:SourceAccount": ACCOUNT,
      }),
      "ImplicitlyDenied",
    ],
    [
      "trailwatch rules of another region may not",
      assume("events.amazonaws.com", {
        "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/trailwatch-nacl-changed`,
        "aws:SourceAccount": ACCOUNT,
      }),
      "ImplicitlyDenied",
    ],
    [
      "another account's rules may not",
      assume("events.amazonaws.com", {
        "aws:SourceArn": `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/trailwatch-nacl-changed`,
        "aws:SourceAccount": OTHER_ACCOUNT,
      }),
      "ImplicitlyDenied",
    ],
    [
      "another service may not",
      assume("lambda.amazonaws.com", {
        "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/trailwatch-nacl-changed`,
        "aws:SourceAccount": ACCOUNT,
      }),
      "ImplicitlyDenied",
    ],
    ["it may put events on the home bus", act("events:PutEvents", HOME_BUS), "Allowed"],
    [
      "it may not put events on another bus",
      act("events:PutEvents", `arn:aws:events:ap-northeast-1:${ACCOUNT}:event-bus/payments`),
      "ImplicitlyDenied",
    ],
    [
      "it may not put events on another region's default bus",
      act("events:PutEvents", `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`),
      "ImplicitlyDenied",
    ],
    [
      "it may not change rules",
      act(
        "events:PutRule",
        `arn:aws:events:ap-northeast-1:${ACCOUNT}:rule/trailwatch-nacl-changed`,
      ),
      "ImplicitlyDenied",
    ],
  ] as const)("%s", async (_name, question, expected) => {
    expect(await decide(question)).toBe(expected);
  });

  test("a trust policy without the source conditions would let another account's rule in", async () => {
    const open = {
      ...trust,
      Statement: trust.Statement.map(({ Condition: _c, ...s }: any) => s),
    };
    const q = assume("events.amazonaws.com", {
      "aws:SourceArn": `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/x`,
      "aws:SourceAccount": OTHER_ACCOUNT,
    });
    expect(await decide({ ...q, resourcePolicy: open })).toBe("Allowed");
    expect(await decide(q)).toBe("ImplicitlyDenied");
  });
});
