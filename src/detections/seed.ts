import { absent, all, eq } from "./condition";
import { IAM_POLICY_CHANGE_EVENTS, NACL_CHANGE_EVENTS, SECURITY_GROUP_RULE_EVENTS } from "./cis";
import type { Detection } from "./types";

/** The detections the seed articles set up by hand, done right. */
export const SEED_DETECTIONS: readonly Detection[] = [
  {
    id: "s3-bucket-created",
    title: "S3 bucket created",
    severity: "low",
    pack: "seed",
    rationale:
      "Every new bucket is a new place data can leak from; the team wants to hear about each one.",
    investigate:
      "Check requestParameters.bucketName and who created it; confirm public access is blocked and encryption is on.",
    references: {},
    condition: all(eq("eventSource", "s3.amazonaws.com"), eq("eventName", "CreateBucket")),
    delivery: "alarm",
    scope: "regional",
    enabledByDefault: true,
  },
  {
    id: "ec2-instances-launched",
    title: "EC2 instances launched",
    severity: "low",
    pack: "seed",
    rationale:
      "Unexpected instances are how stolen credentials are turned into crypto-mining bills.",
    investigate:
      "Check the instance type, count and AMI in requestParameters and the region; unknown regions are a red flag.",
    references: { attack: ["T1578.002"] },
    condition: all(
      eq("eventSource", "ec2.amazonaws.com"),
      eq("eventName", "RunInstances"),
      absent("errorCode"),
    ),
    delivery: "alarm",
    scope: "regional",
    enabledByDefault: true,
  },
  {
    id: "cloudtrail-describe-trails",
    title: "Trails described (reconnaissance example)",
    severity: "low",
    pack: "seed",
    rationale:
      "An example of a read-only detection: attackers list trails before tampering with them. Noisy wherever tools poll CloudTrail, so off by default.",
    investigate:
      "Check whether the caller is a known tool (user agent, principal) or a new principal exploring the account.",
    references: {},
    condition: all(
      eq("eventSource", "cloudtrail.amazonaws.com"),
      eq("eventName", "DescribeTrails"),
    ),
    matchesReadOnly: true,
    delivery: "alarm",
    scope: "regional",
    enabledByDefault: false,
  },
  {
    id: "security-group-rule-changed",
    title: "Security group rule changed",
    severity: "medium",
    pack: "seed",
    rationale:
      "An ingress rule opened to the internet is the most common way instances get exposed.",
    investigate: "Read requestParameters.ipPermissions for 0.0.0.0/0 or ::/0 and the ports.",
    references: { attack: ["T1562.007"], cis: ["CIS 3.0 4.10"] },
    condition: all(
      eq("eventSource", "ec2.amazonaws.com"),
      eq("eventName", ...SECURITY_GROUP_RULE_EVENTS),
      absent("errorCode"),
    ),
    delivery: "event",
    scope: "regional",
    enabledByDefault: true,
  },
  {
    id: "nacl-changed",
    title: "Network ACL changed",
    severity: "medium",
    pack: "seed",
    rationale: "Network ACL entries open or close whole subnets.",
    investigate: "Read requestParameters.networkAclId, ruleNumber, cidrBlock and ruleAction.",
    references: { attack: ["T1562.007"], cis: ["CIS 3.0 4.11"] },
    condition: all(
      eq("eventSource", "ec2.amazonaws.com"),
      eq("eventName", ...NACL_CHANGE_EVENTS),
      absent("errorCode"),
    ),
    delivery: "event",
    scope: "regional",
    enabledByDefault: true,
  },
  {
    id: "cloudtrail-tampering",
    title: "CloudTrail logging stopped or trail changed",
    severity: "critical",
    pack: "seed",
    rationale: "Stopping, deleting or narrowing a trail is how an intruder hides what comes next.",
    investigate:
      "`aws cloudtrail get-trail-status --name <trail>`; restart logging and review the caller's other activity.",
    references: { attack: ["T1562.008"], cis: ["CIS 3.0 4.5"] },
    condition: all(
      eq("eventSource", "cloudtrail.amazonaws.com"),
      eq("eventName", "StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
      absent("errorCode"),
    ),
    delivery: "event",
    scope: "regional",
    enabledByDefault: true,
  },
  {
    id: "iam-policy-changed",
    title: "IAM policy changed",
    severity: "high",
    pack: "seed",
    rationale: "The 16 IAM calls that create, change, attach or detach a policy.",
    investigate: "Read requestParameters for the policy and the principal it applies to.",
    references: { attack: ["T1098.003"], cis: ["CIS 3.0 4.4"] },
    condition: all(
      eq("eventSource", "iam.amazonaws.com"),
      eq("eventName", ...IAM_POLICY_CHANGE_EVENTS),
      absent("errorCode"),
    ),
    delivery: "event",
    scope: "global",
    enabledByDefault: true,
  },
  {
    id: "root-console-signin",
    title: "Root user signed in to the console",
    severity: "critical",
    pack: "seed",
    rationale: "Root sign-ins should be rare, planned and known in advance.",
    investigate:
      "Confirm with the account owner; check additionalEventData.MFAUsed and the source IP.",
    references: { attack: ["T1078.004"], cis: ["CIS 3.0 4.3"] },
    condition: all(
      eq("eventSource", "signin.amazonaws.com"),
      eq("eventName", "ConsoleLogin"),
      eq("userIdentity.type", "Root"),
      eq("responseElements.ConsoleLogin", "Success"),
    ),
    recordTypes: ["AwsConsoleSignIn"],
    delivery: "event",
    scope: "global",
    enabledByDefault: true,
  },
  {
    id: "iam-access-key-created",
    title: "IAM access key created",
    severity: "high",
    pack: "seed",
    rationale:
      "Long-lived access keys are the credentials most often leaked. (CreateAccessKey is an API call: a rule that asks for the console sign-in detail-type never fires.)",
    investigate:
      "Check requestParameters.userName and responseElements.accessKey.accessKeyId; who needs this key?",
    references: { attack: ["T1098.001"] },
    condition: all(
      eq("eventSource", "iam.amazonaws.com"),
      eq("eventName", "CreateAccessKey"),
      absent("errorCode"),
    ),
    delivery: "event",
    scope: "global",
    enabledByDefault: true,
  },
];
