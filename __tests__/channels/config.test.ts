/**
 * Configuration errors of `alerts.routes` / `alerts.channels` / `alerts.chatbotRegion`: each names
 * the field and what is allowed, and every problem is reported at once (nothing is rendered).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../../src/config/load";
import {
  decodeTeamsChannelId,
  defaultChatbotRegion,
  encodeTeamsChannelId,
  webhookUrlProblem,
} from "../../src/config/channels";
import { exampleValueWarnings } from "../../src/warnings/example-values";
import { configProblems, ROOT } from "../helpers";

const example = () => JSON.parse(readFileSync(path.join(ROOT, "examples", "alerts.json"), "utf8"));

test("examples/alerts.json is valid", () => {
  const c = parseConfig(example());
  expect(c.alerts.channels.map((ch) => ch.type)).toEqual([
    "webhook",
    "email",
    "slack",
    "teams",
    "sqs",
  ]);
});

test("every channel problem is reported at once, each naming its field and what is allowed", () => {
  const c = example();
  c.alerts.routes = { page: ["critical", "high"], Team: ["low"], dup: ["high", "severe"] };
  c.alerts.chatbotRegion = "ap-northeast-1";
  c.alerts.channels = [
    { type: "slack", name: "chat", workspaceId: "acme", channelId: "#security-alerts" },
    { type: "webhook", name: "pager", url: "http://events.pagerduty.com/x", routes: ["pages"] },
    { type: "webhook", name: "local", url: "https://10.0.0.5/hook" },
    { type: "email", name: "chat", address: "SECURITY-alerts@example.com" },
    {
      type: "teams",
      name: "soc",
      tenantId: "x",
      teamId: "00000000-0000-0000-0000-000000000000",
      channelId: "General",
    },
    { type: "sqs", name: "siem", readers: ["arn:aws:iam::444455556666:group/x"] },
    { type: "pagerduty", name: "pd" },
  ];
  expect(configProblems(c)).toEqual([
    "alerts.routes.Team: must be 1-20 lowercase letters, digits or hyphens, starting with a letter",
    'alerts.routes.dup[1]: not a severity; allowed: critical, high, medium, low (got "severe")',
    'alerts.channels[0].workspaceId: not a Slack workspace id (T, or E for Enterprise Grid, followed by 8 or more capital letters or digits, e.g. T0123ABCDE; AWS Chatbot\'s console lists it once the workspace is authorized) (got "acme")',
    'alerts.channels[0].channelId: not a Slack channel id (C or G followed by 8 or more capital letters or digits, e.g. C0123ABCDEF; in Slack, open the channel details: the id is at the bottom of the About tab). A channel name such as #alerts is not an id (got "#security-alerts")',
    'alerts.channels[1].url: must be an https:// URL: SNS would deliver alerts over http in clear text (got "http://events.pagerduty.com/x")',
    'alerts.channels[2].url: needs a public DNS host name (SNS delivers from the internet, not to an IP address or local name) (got "https://10.0.0.5/hook")',
    'alerts.channels[4].tenantId: not a Microsoft Entra tenant id (a UUID such as 00000000-0000-0000-0000-000000000000: tenantId= in the channel link) (got "x")',
    'alerts.channels[4].channelId: not a Microsoft Teams channel id (19:<id>@thread.tacv2, from the channel\'s "Get link to channel", URL-encoded or not) (got "General")',
    'alerts.channels[5].readers[0]: not an IAM principal ARN (arn:aws:iam::<12-digit account>:role/<name>, :user/<name> or :root) (got "arn:aws:iam::444455556666:group/x")',
    'alerts.channels[6].type: not a channel type; allowed: email, webhook, sqs, slack, teams (got "pagerduty")',
    'alerts.chatbotRegion: not a region that serves the AWS Chatbot API; allowed: us-east-2, us-west-2, eu-west-1, ap-southeast-1 (got "ap-northeast-1")',
  ]);
});

test("rules between channels and routes are reported together once each field is well-formed", () => {
  const c = example();
  c.alerts.emails = ["oncall@example.com"];
  c.alerts.routes = {
    page: ["critical", "high"],
    night: ["high", "low", "low"],
    quiet: ["medium"],
  };
  c.alerts.channels = [
    {
      type: "webhook",
      name: "pagerduty",
      routes: ["page", "pages"],
      url: "https://events.pagerduty.com/a",
    },
    { type: "webhook", name: "pagerduty", routes: ["page"], url: "https://events.pagerduty.com/a" },
    { type: "email", name: "mail", routes: ["page"], address: "OnCall@example.com" },
    {
      type: "slack",
      name: "s1",
      routes: ["page", "page"],
      workspaceId: "T0123ABCDE",
      channelId: "C0123ABCDEF",
    },
    {
      type: "slack",
      name: "s2",
      routes: ["page"],
      workspaceId: "T0123ABCDE",
      channelId: "C0123ABCDEF",
    },
  ];
  expect(configProblems(c)).toEqual([
    'alerts.routes.night[0]: high is already routed by "page"; a severity goes to one route (got "high")',
    'alerts.routes.night[2]: low is listed twice in this route (got "low")',
    'alerts.channels[1].name: "pagerduty" is also the name of alerts.channels[0]; names must be unique (got "pagerduty")',
    'alerts.channels[0].routes[1]: not a route; allowed: default, page, night, quiet (got "pages")',
    'alerts.channels[3].routes[1]: "page" is listed twice (got "page")',
    'alerts.channels[2].address: "OnCall@example.com" is the address of alerts.emails[0] (addresses are compared ignoring case) (got "OnCall@example.com")',
    'alerts.channels[1].url: is the same URL as alerts.channels[0]: it would receive every alert twice (got "https://events.pagerduty.com/a")',
    'alerts.channels[4].channelId: is the same slack channel as alerts.channels[3]: it would receive every alert twice (got "C0123ABCDEF")',
  ]);
});

test("a channel-only configuration must still reach the default route", () => {
  const c = example();
  c.alerts.emails = [];
  c.alerts.channels = [
    { type: "webhook", name: "pagerduty", routes: ["page"], url: "https://events.pagerduty.com/a" },
  ];
  expect(configProblems(c)).toEqual([
    'alerts.channels: no channel receives the route "default" (severities medium, low and trailwatch\'s own failure alarms): add an address to alerts.emails, or a channel without "routes" or with "default" among them (got [{"type":"webhook","name":"pagerduty","routes":["page"],"url":"https://events.pagerduty.com/a"}])',
    'alerts.chatbotRegion: is used only by slack and teams channels, and none is configured (got "ap-southeast-1")',
  ]);
});

test("chatbotRegion without a chat channel is a mistake, not silently ignored", () => {
  const c = example();
  c.alerts.channels = c.alerts.channels.filter(
    (ch: any) => ch.type !== "slack" && ch.type !== "teams",
  );
  c.alerts.chatbotRegion = "eu-west-1";
  expect(configProblems(c)).toEqual([
    'alerts.chatbotRegion: is used only by slack and teams channels, and none is configured (got "eu-west-1")',
  ]);
});

test("webhook URLs: https with a public host name only, no credentials in the URL", () => {
  expect(webhookUrlProblem("https://events.pagerduty.com/integration/abc/enqueue")).toBeUndefined();
  expect(webhookUrlProblem("https://api.opsgenie.com/v1/json/amazonsns?apiKey=k")).toBeUndefined();
  expect(webhookUrlProblem("events.pagerduty.com/x")).toMatch(/^not a URL/);
  expect(webhookUrlProblem("http://events.pagerduty.com/x")).toMatch(/^must be an https:\/\/ URL/);
  expect(webhookUrlProblem("https://user:pw@example.org/x")).toMatch(/user name or password/);
  expect(webhookUrlProblem("https://localhost/x")).toMatch(/public DNS host name/);
  expect(webhookUrlProblem("https://[::1]/x")).toMatch(/public DNS host name/);
});

test("Teams channel ids: the link's URL-encoded form and the decoded one are the same channel", () => {
  const encoded = "19%3Aa1b2c3d4e5f60718293a4b5c6d7e8f90%40thread.tacv2";
  const decoded = "19:a1b2c3d4e5f60718293a4b5c6d7e8f90@thread.tacv2";
  expect(decodeTeamsChannelId(encoded)).toBe(decoded);
  expect(encodeTeamsChannelId(decoded)).toBe(encoded);
  expect(encodeTeamsChannelId(encoded)).toBe(encoded);
});

test.each([
  ["us-east-1", "us-east-2"],
  ["us-west-1", "us-west-2"],
  ["eu-central-1", "eu-west-1"],
  ["me-south-1", "eu-west-1"],
  ["ap-northeast-1", "ap-southeast-1"],
  ["sa-east-1", "us-east-2"],
  ["eu-west-1", "eu-west-1"],
])("the Chatbot region for home region %s is %s", (home, chatbot) => {
  expect(defaultChatbotRegion(home)).toBe(chatbot);
});

test("e-mail channels and webhooks at reserved example domains are warned about (the webhook by host only)", () => {
  const c = example();
  c.alerts.channels.push({
    type: "webhook",
    name: "test-hook",
    url: "https://hooks.example.org/secret-token-123",
  });
  const fields = exampleValueWarnings(parseConfig(c));
  expect(fields.filter((w) => w.field.startsWith("alerts.channels"))).toEqual([
    {
      field: "alerts.channels[1].address",
      message:
        "oncall@example.com is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody",
    },
    {
      field: "alerts.channels[5].url",
      message:
        "the webhook's host hooks.example.org is reserved for examples (RFC 2606): SNS cannot deliver to it",
    },
  ]);
});
