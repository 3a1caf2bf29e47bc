/**
 * The containment endpoint behind API Gateway (HTTP API, payload format 2.0):
 *
 * - `GET /contain?<signed link>`: verifies the link and shows what would be done, to what, named
 *   by which event, with one button. Nothing is changed: mail scanners fetch every link.
 * - `POST /contain?<signed link>` (the button): verifies again, claims the link in DynamoDB (once
 *   per event and action), runs the action, records the outcome, publishes a follow-up to the
 *   alert topic, and shows the result.
 *
 * A link that is malformed (400), forged or altered (403), expired (410), for another account or
 * for an action no longer enabled (403), or naming one of trailwatch's own resources (403) is
 * refused before any AWS call. Every failure becomes a page; the handler never throws, so API
 * Gateway never retries and nobody sees a stack trace.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ACTIONS } from "./actions";
import { readLink, type LinkClaims } from "./claims";
import {
  defaultClients,
  describeError,
  errorCode,
  ResourceGone,
  type AwsClients,
  type Outcome,
} from "./effects/outcome";
import { runEffect } from "./effects";
import { followUp } from "./follow-up";
import { Ledger } from "./ledger";
import { LinkError } from "./link";
import {
  alreadyUsedPage,
  confirmationPage,
  errorPage,
  PAGE_HEADERS,
  resultPage,
  type Page,
} from "./pages";
import { loadSettings, protectedReason, topicFor, type ContainmentSettings } from "./settings";
import { SigningKeys } from "./signing-key";
import { CONTAIN_PATH, HANDLER_TIMEOUT_SECONDS } from "./constants";

export { CONTAIN_PATH, HANDLER_TIMEOUT_SECONDS };

export interface HandlerDeps {
  readonly settings: ContainmentSettings;
  readonly keys: Pick<SigningKeys, "verificationKeys">;
  readonly ledger: Ledger;
  readonly clients: AwsClients;
  readonly sns: SNSClient;
  readonly now: () => number;
  readonly newToken: () => string;
  /** One JSON line per decision, to the function's log group. */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

type Result = APIGatewayProxyStructuredResultV2;

function respond(p: Page): Result {
  return { statusCode: p.status, headers: { ...PAGE_HEADERS }, body: p.html };
}

function formBody(event: APIGatewayProxyEventV2): URLSearchParams {
  const raw = event.body ?? "";
  return new URLSearchParams(
    event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw,
  );
}

/** A cross-site form post (another origin's page submitting to us) is refused. */
function sameOrigin(event: APIGatewayProxyEventV2): boolean {
  const origin = event.headers?.origin;
  if (!origin || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === event.headers?.host;
  } catch {
    return false;
  }
}

/** AWS's refusal in words for the page: an explicit deny means a guardrail said no. */
function failedOutcome(e: unknown): Outcome {
  const code = errorCode(e);
  const why =
    code === "AccessDenied" || code === "AccessDeniedException" || code === "UnauthorizedOperation"
      ? `AWS denied the containment role (${describeError(e)}). The role may act only on resources of this account that are not trailwatch's own; a service control policy or permissions boundary may also refuse it.`
      : code === "Throttling" ||
          code === "ThrottlingException" ||
          code === "RequestLimitExceeded" ||
          code === "SlowDown"
        ? `AWS is throttling requests (${describeError(e)}); try again in a minute.`
        : `AWS returned an error: ${describeError(e)}`;
  return { status: "failed", changes: [], notes: [why], undo: [] };
}

export function createHandler(
  deps: HandlerDeps,
): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const s = deps.settings;

  async function verified(
    rawQuery: string,
  ): Promise<{ readonly claims: LinkClaims } | { readonly refused: Page }> {
    let keys: Buffer[];
    try {
      keys = await deps.keys.verificationKeys();
    } catch (e) {
      deps.log("signing-key-unavailable", { error: describeError(e) });
      return {
        refused: errorPage(
          503,
          "Cannot check links right now",
          "The signing key could not be read; try again in a minute.",
        ),
      };
    }
    let c: LinkClaims;
    try {
      c = readLink(rawQuery, keys, deps.now());
    } catch (e) {
      if (!(e instanceof LinkError)) throw e;
      const title = { 400: "Not a valid link", 403: "Link refused", 410: "Link expired" }[e.status];
      return { refused: errorPage(e.status, title, `${e.message}.`) };
    }
    if (c.account !== s.account)
      return {
        refused: errorPage(
          403,
          "Link refused",
          `The link is for account ${c.account}; this endpoint acts only in ${s.account}.`,
        ),
      };
    if (s.actions[c.detection] !== c.action)
      return {
        refused: errorPage(
          403,
          "Action not enabled",
          `"${c.action}" is not enabled for detection ${c.detection} (remediation configuration); nothing is done.`,
        ),
      };
    const reason = protectedReason(s, ACTIONS[c.action].names(c.target));
    if (reason) return { refused: errorPage(403, "Link refused", `${reason}.`) };
    return { claims: c };
  }

  async function onGet(c: LinkClaims, rawQuery: string): Promise<Page> {
    const action = ACTIONS[c.action];
    const title = s.detections[c.detection]?.title ?? c.detection;
    let entry;
    try {
      entry = await deps.ledger.lookup(Ledger.key(c.eventId, c.action));
    } catch (e) {
      deps.log("ledger-lookup-failed", { error: describeError(e) });
    }
    if (entry && entry.status !== "failed" && entry.status !== "partial")
      return alreadyUsedPage(c, action, entry, title);
    const steps = action.plan(c.target, { objectLockDays: s.objectLockDays });
    return confirmationPage(c, action, steps, title, rawQuery);
  }

  async function onPost(c: LinkClaims, event: APIGatewayProxyEventV2): Promise<Page> {
    const action = ACTIONS[c.action];
    const title = s.detections[c.detection]?.title ?? c.detection;
    if (!sameOrigin(event))
      return errorPage(403, "Request refused", "The confirmation came from another site's page.");
    if (formBody(event).get("confirm") !== "yes")
      return errorPage(400, "Not confirmed", "Open the link and press the button on its page.");
    const who = {
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: (event.requestContext.http.userAgent ?? "").slice(0, 512),
    };
    const key = Ledger.key(c.eventId, c.action);
    const now = deps.now();
    let claim;
    try {
      claim = await deps.ledger.claim(
        key,
        who,
        { detection: c.detection, resource: action.describe(c.target) },
        c.expires,
        now,
        deps.newToken(),
      );
    } catch (e) {
      deps.log("ledger-claim-failed", { key, error: describeError(e) });
      return errorPage(
        503,
        "Cannot act right now",
        "The record of used links could not be written, so nothing was done; try again in a minute.",
      );
    }
    if (claim.kind === "taken") {
      deps.log("link-already-used", { key, status: claim.entry.status, ...who });
      return alreadyUsedPage(c, action, claim.entry, title);
    }
    let outcome: Outcome;
    try {
      outcome = await runEffect(c.action, c.target, {
        clients: deps.clients,
        settings: { objectLockDays: s.objectLockDays },
        account: s.account,
      });
    } catch (e) {
      outcome =
        e instanceof ResourceGone
          ? { status: "gone", changes: [], notes: [`${e.message}.`], undo: [] }
          : failedOutcome(e);
    }
    deps.log("containment-action", { key, action: c.action, status: outcome.status, ...who });
    try {
      await deps.ledger.finish(key, claim.token, outcome, deps.now());
    } catch (e) {
      deps.log("ledger-finish-failed", { key, error: describeError(e) });
    }
    const note = followUp(c, action, outcome, { ...who, at: now }, s.roleArn);
    try {
      await deps.sns.send(
        new PublishCommand({
          TopicArn: topicFor(s, c.detection),
          Subject: note.subject,
          Message: note.message,
        }),
      );
    } catch (e) {
      deps.log("follow-up-failed", { key, error: describeError(e) });
    }
    return resultPage(c, action, outcome, title);
  }

  return async (event) => {
    try {
      const method = event.requestContext.http.method;
      if (event.rawPath !== CONTAIN_PATH)
        return respond(errorPage(404, "Not found", "There is nothing here."));
      if (method !== "GET" && method !== "POST")
        return {
          ...respond(errorPage(405, "Method not allowed", "Open the link in a browser.")),
          headers: { ...PAGE_HEADERS, allow: "GET, POST" },
        };
      const v = await verified(event.rawQueryString);
      if ("refused" in v) {
        deps.log("link-refused", {
          status: v.refused.status,
          sourceIp: event.requestContext.http.sourceIp,
        });
        return respond(v.refused);
      }
      const c = v.claims;
      return respond(
        method === "GET" ? await onGet(c, event.rawQueryString) : await onPost(c, event),
      );
    } catch (e) {
      deps.log("unexpected-error", { error: describeError(e) });
      return respond(
        errorPage(
          500,
          "Something went wrong",
          "The request could not be handled; nothing was changed unless a follow-up notification says otherwise.",
        ),
      );
    }
  };
}

let lambdaHandler: ((event: APIGatewayProxyEventV2) => Promise<Result>) | undefined;

/** The Lambda entry point: dependencies built once per container from the environment. */
export async function handler(event: APIGatewayProxyEventV2): Promise<Result> {
  if (!lambdaHandler) {
    const settings = loadSettings();
    lambdaHandler = createHandler({
      settings,
      keys: new SigningKeys(new SecretsManagerClient({}), settings.secretId),
      ledger: new Ledger(
        new DynamoDBClient({}),
        settings.table,
        (HANDLER_TIMEOUT_SECONDS + 30) * 1000,
      ),
      clients: defaultClients(),
      sns: new SNSClient({}),
      now: Date.now,
      newToken: randomUUID,
      log: (event, fields) => console.log(JSON.stringify({ event, ...fields })),
    });
  }
  return lambdaHandler(event);
}
