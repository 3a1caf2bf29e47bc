/**
 * What the Sigma converter knows about CloudTrail record fields, so a case-insensitive Sigma value
 * becomes the spellings CloudTrail actually writes (trailwatch's renderings compare exactly; see
 * src/detections/condition.ts). Sources: AWS CloudTrail User Guide, "CloudTrail record contents
 * for management, data, and network activity events" (top-level fields, eventType and
 * eventCategory values), "CloudTrail userIdentity element" (userIdentity.type and sessionIssuer
 * types) and "AWS console sign-in events" (additionalEventData.MFAUsed, responseElements
 * .ConsoleLogin).
 */

/** Top-level fields of a CloudTrail record (the record contents page). */
export const CLOUDTRAIL_RECORD_FIELDS: readonly string[] = [
  "eventVersion",
  "userIdentity",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
  "sourceIPAddress",
  "userAgent",
  "errorCode",
  "errorMessage",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "requestID",
  "eventID",
  "eventType",
  "apiVersion",
  "managementEvent",
  "readOnly",
  "resources",
  "recipientAccountId",
  "serviceEventDetails",
  "sharedEventID",
  "vpcEndpointId",
  "vpcEndpointAccountId",
  "eventCategory",
  "addendum",
  "sessionCredentialFromConsole",
  "edgeDeviceDetails",
  "tlsDetails",
  "insightDetails",
];

/**
 * Fields that hold JSON objects (or lists of them): a string comparison on the whole of one is
 * never true, in Sigma or in any rendering, so a rule that makes one is refused with a hint.
 */
export const CLOUDTRAIL_OBJECT_FIELDS: readonly string[] = [
  "userIdentity",
  "userIdentity.sessionContext",
  "userIdentity.sessionContext.sessionIssuer",
  "userIdentity.sessionContext.attributes",
  "userIdentity.sessionContext.webIdFederationData",
  "userIdentity.onBehalfOf",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "resources",
  "serviceEventDetails",
  "addendum",
  "edgeDeviceDetails",
  "tlsDetails",
  "insightDetails",
];

/** Fields whose values come from a fixed set, in AWS's spelling. */
export const CLOUDTRAIL_ENUMERATIONS: Readonly<Record<string, readonly string[]>> = {
  eventType: [
    "AwsApiCall",
    "AwsServiceEvent",
    "AwsConsoleAction",
    "AwsConsoleSignIn",
    "AwsCloudTrailInsight",
    "AwsVpceEvent",
  ],
  eventCategory: ["Management", "Data", "Insight", "NetworkActivity"],
  "userIdentity.type": [
    "Root",
    "IAMUser",
    "AssumedRole",
    "Role",
    "FederatedUser",
    "Directory",
    "AWSAccount",
    "AWSService",
    "IdentityCenterUser",
    "SAMLUser",
    "WebIdentityUser",
    "Unknown",
  ],
  "userIdentity.sessionContext.sessionIssuer.type": ["Root", "IAMUser", "Role"],
  "additionalEventData.MFAUsed": ["Yes", "No"],
  "responseElements.ConsoleLogin": ["Success", "Failure"],
};

/** Fields CloudTrail writes in lower case: service endpoints and region codes. */
export const CLOUDTRAIL_LOWERCASE_FIELDS: readonly string[] = ["eventSource", "awsRegion"];

/**
 * Fields holding API names (`eventName`: `CreateBucket`; `errorCode`: `AccessDenied`), in the
 * case of the service's API reference: PascalCase, with a few exceptions a rule writes as AWS does.
 */
export const CLOUDTRAIL_API_NAME_FIELDS: readonly string[] = ["eventName", "errorCode"];

/**
 * Fields known to hold an array, as the condition language's `[]` path marker needs them: the
 * record's `resources` (record contents page), Lambda `UpdateFunctionConfiguration`'s `layers`
 * (Lambda API reference: `Layers`, a list of ARNs), ECS `RegisterTaskDefinition`'s
 * `containerDefinitions` and each definition's `command` (ECS API reference: lists).
 */
export const CLOUDTRAIL_ARRAY_FIELDS: readonly string[] = [
  "resources",
  "requestParameters.layers",
  "requestParameters.containerDefinitions",
  "requestParameters.containerDefinitions.command",
];

/**
 * The Sigma field as a condition-language path: every known array on the way gets its `[]`
 * (`requestParameters.containerDefinitions.command` ->
 * `requestParameters.containerDefinitions[].command[]`).
 */
export function cloudTrailPath(field: string): string {
  const steps = field.split(".");
  return steps
    .map((step, i) => {
      const upTo = steps.slice(0, i + 1).join(".");
      return CLOUDTRAIL_ARRAY_FIELDS.includes(upTo) ? `${step}[]` : step;
    })
    .join(".");
}

/** How a Sigma string is spelled for one field; `note` says what may be missed. */
export interface Spellings {
  readonly values: readonly string[];
  readonly note?: string;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/** Where a text sits in the value: the whole value, or its start, end or middle. */
export type TextPosition = "whole" | "prefix" | "suffix" | "contains";

/**
 * The spellings a case-insensitive Sigma text is matched as, given the field:
 * - a fixed set (eventType, userIdentity.type, MFAUsed, ...), whole value: AWS's spelling when the
 *   text is one of its values ignoring case (nothing missed), else as written (with a note);
 * - eventSource, awsRegion: lower case (nothing missed);
 * - eventName, errorCode, whole value or prefix: as written with the first letter in upper case
 *   (API names are PascalCase; a note when that changed the text);
 * - anything else: as written, lower case, UPPER CASE and Capitalized, with a note that other
 *   mixtures of case are missed.
 */
export function cloudTrailSpellings(
  field: string,
  text: string,
  position: TextPosition,
): Spellings {
  const known = CLOUDTRAIL_ENUMERATIONS[field];
  if (known && position === "whole") {
    const exact = known.find((k) => k.toLowerCase() === text.toLowerCase());
    if (exact) return { values: [exact] };
    return {
      values: [text],
      note: `${field} is one of ${known.join(", ")}; "${text}" is matched as written`,
    };
  }
  if (CLOUDTRAIL_LOWERCASE_FIELDS.includes(field)) return { values: [text.toLowerCase()] };
  if (
    CLOUDTRAIL_API_NAME_FIELDS.includes(field) &&
    (position === "whole" || position === "prefix")
  ) {
    const pascal = text.charAt(0).toUpperCase() + text.slice(1);
    if (pascal === text) return { values: [text] };
    return {
      values: [pascal],
      note: `${field} holds API names: "${text}" is matched as "${pascal}"`,
    };
  }
  const values = [...new Set([text, text.toLowerCase(), text.toUpperCase(), capitalized(text)])];
  if (values.length === 1) return { values };
  return {
    values,
    note: `${field}: Sigma ignores case but the renderings compare exactly, so "${text}" is matched as ${values
      .map((v) => JSON.stringify(v))
      .join(", ")} and no other mixture of case`,
  };
}
