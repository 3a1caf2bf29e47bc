/**
 * Each action on real CloudTrail records: which records it takes, the exact resource it reads
 * from them, and the exact AWS calls it then makes (the SDK clients are faked at their `send`
 * boundary with aws-sdk-client-mock; the record parsing, link round trip and effect logic run).
 */
import { mockClient } from "aws-sdk-client-mock";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  DeleteLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import {
  DescribeImageAttributeCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeDBSnapshotAttributesCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { ACTIONS } from "../../src/containment/actions";
import { readLink } from "../../src/containment/claims";
import { runEffect } from "../../src/containment/effects";
import { defaultClients, type Outcome } from "../../src/containment/effects/outcome";
import { addTlsOnlyStatement } from "../../src/containment/effects/tls-only-policy";
import type { ActionId } from "../../src/containment/action";
import { REAL_RECORDS } from "../support/records";
import { awsError, KEY, linkFor, NOW, queryOf, record } from "../support/containment";

const s3 = mockClient(S3Client);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);

beforeEach(() => {
  s3.reset();
  iam.reset();
  ec2.reset();
  rds.reset();
});

/** Every call made through one mocked client: [command, input]. */
function callsOf(mock: { calls(): any[] }): [string, unknown][] {
  return mock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
}

/** The record's link, read back as the handler reads it, then acted on. */
async function act(eventId: string, action: ActionId, objectLockDays?: number): Promise<Outcome> {
  const r = record(eventId);
  const claims = readLink(queryOf(linkFor(r, action).url), [KEY], NOW);
  return runEffect(action, claims.target, {
    clients: defaultClients(),
    settings: { objectLockDays },
    account: claims.account,
  });
}

describe("which real records each action takes", () => {
  const targets = (action: ActionId) =>
    REAL_RECORDS.map((r) => [r.eventID, ACTIONS[action].targetOf(r)] as const).filter(
      ([, t]) => t !== undefined,
    );

  test("lock-s3-bucket: the one real successful CreateBucket", () => {
    expect(targets("lock-s3-bucket")).toEqual([
      [
        "80486b96-9f31-441e-b4e2-b85a4e520a07",
        { kind: "target", target: { bucket: "cwe-test", region: "us-east-1" } },
      ],
    ]);
  });

  test("deactivate-access-key: successful CreateAccessKey with a real key id; root's own key and made-up ids say why not", () => {
    const t = Object.fromEntries(targets("deactivate-access-key"));
    expect(t["c64c4ded-ef03-4e5c-81eb-153b118d72f2"]).toEqual({
      kind: "target",
      target: { user: "stratus-red-team-backdoor-u-user", accessKeyId: "AKIAL80DWDVKKM0UXEER" },
    });
    expect(t["94faedcc-0fa4-46e6-9322-022e8e934f04"]).toEqual({
      kind: "target",
      target: { user: "malicious-iam-user", accessKeyId: "AKIAXAFZN8JEPF6L682H" },
    });
    expect(t["783170c8-0910-0000-0000-000000000000"]).toEqual({
      kind: "ineligible",
      reason: "the root user's own credentials can only be changed by the root user",
    });
    expect(t["95e0ed72-0658-0000-0000-000000000000"]).toEqual({
      kind: "ineligible",
      reason: '"ABCDEFG" is not an access key id',
    });
    // The failed call (LimitExceededException) is not the action's business.
    expect(t["45030a30-0977-0000-0000-000000000000"]).toBeUndefined();
  });

  test("revoke-public-ingress: real records opening 0.0.0.0/0 predate rule ids and say so; narrower ranges are left alone", () => {
    const t = Object.fromEntries(targets("revoke-public-ingress"));
    expect(t["adebb48a-0956-0000-0000-000000000000"]).toEqual({
      kind: "ineligible",
      reason:
        "the record does not name the new security group rule ids (its response has no securityGroupRuleSet)",
    });
    // 127.0.0.1/32 and 0.0.0.0/16 are not the whole internet.
    expect(t["e25bb670-0598-0000-0000-000000000000"]).toBeUndefined();
    expect(t["ee179a96-0578-0000-0000-000000000000"]).toBeUndefined();
  });

  test("revoke-public-ingress: exactly the world-open rules of a response with rule ids", () => {
    expect(
      ACTIONS["revoke-public-ingress"].targetOf(record("00000000-0000-0000-0000-00c0ffee5001")),
    ).toEqual({
      kind: "target",
      target: {
        region: "ap-northeast-1",
        groupId: "sg-0d921df5d84f7270a",
        rules: [
          {
            id: "sgr-0a1b2c3d4e5f60718",
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidr: "0.0.0.0/0",
          },
          { id: "sgr-0a1b2c3d4e5f60719", protocol: "tcp", fromPort: 22, toPort: 22, cidr: "::/0" },
        ],
      },
    });
  });

  test("delete-login-profile: CreateLoginProfile and UpdateLoginProfile, for the user named", () => {
    const t = Object.fromEntries(targets("delete-login-profile"));
    expect(t["d3906a7d-604b-407f-acb6-fc425742821e"]).toEqual({
      kind: "target",
      target: { user: "stratus-red-team-login-profile-user" },
    });
    expect(t["a46a1a42-9ef1-48d4-9c61-507eb6d4019f"]).toEqual({
      kind: "target",
      target: { user: "stratus-red-team-update-login-profile-user" },
    });
  });

  test("unshare-ami: launch permissions added; another attribute or a failed call is not its business", () => {
    const t = Object.fromEntries(targets("unshare-ami"));
    const none = { organizations: [], organizationalUnits: [] };
    expect(t["1f00bcfa-e050-4c2e-b99b-768ebe3a3dd3"]).toEqual({
      kind: "target",
      target: {
        region: "us-east-1",
        imageId: "ami-de1fbCab6ccB03e6D",
        grantees: { accounts: ["846424999548"], everyone: false, ...none },
      },
    });
    expect(t["d1f68cab-64bc-481c-92b4-d0ca2e4a5e65"]).toEqual({
      kind: "target",
      target: {
        region: "us-east-1",
        imageId: "ami-6eb72111",
        grantees: { accounts: [], everyone: true, ...none },
      },
    });
    expect(t["d9e3b312-0505-0000-0000-000000000000"]).toBeUndefined();
    expect(t["5c4d236b-0507-0000-0000-000000000000"]).toBeUndefined();
  });

  test("unshare-ebs-snapshot: create-volume permissions added to an account; group 'none' is nobody", () => {
    const t = Object.fromEntries(targets("unshare-ebs-snapshot"));
    expect(t["6897ff63-d738-445c-9e86-43e5b1f8e12f"]).toEqual({
      kind: "target",
      target: {
        region: "eu-west-1",
        snapshotId: "snap-041993b54a9b3af6f",
        grantees: {
          accounts: ["098797384747"],
          everyone: false,
          organizations: [],
          organizationalUnits: [],
        },
      },
    });
    expect(t["c2c7cebd-0861-0000-0000-000000000000"]).toBeUndefined();
  });

  test("unshare-rds-snapshot: accounts added to restore; an empty list is nobody", () => {
    const t = Object.fromEntries(targets("unshare-rds-snapshot"));
    expect(t["fef2bf02-bbea-4d0f-a91c-e6ccfe3fba46"]).toEqual({
      kind: "target",
      target: {
        region: "us-east-1",
        snapshot: "exfiltration",
        cluster: false,
        grantees: {
          accounts: ["503161813013"],
          everyone: false,
          organizations: [],
          organizationalUnits: [],
        },
      },
    });
    expect(t["5fc352ff-0989-0000-0000-000000000000"]).toBeUndefined();
  });
});

describe("lock-s3-bucket calls", () => {
  const bucket = { Bucket: "cwe-test", ExpectedBucketOwner: "101010101111" };
  const existingPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TeamRead",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::101010101111:role/team" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::cwe-test/*",
      },
    ],
  });

  test("a fresh bucket: policy merged, public access blocked, encryption, versioning, then Object Lock", async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: existingPolicy });
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
    s3.on(GetBucketEncryptionCommand).rejects(
      awsError("ServerSideEncryptionConfigurationNotFoundError"),
    );
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(GetObjectLockConfigurationCommand).rejects(
      awsError("ObjectLockConfigurationNotFoundError"),
    );
    const outcome = await act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", 7);
    const merged = JSON.parse(existingPolicy);
    merged.Statement.push({
      Sid: "TrailwatchContainmentDenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::cwe-test", "arn:aws:s3:::cwe-test/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(callsOf(s3)).toEqual([
      ["GetBucketPolicyCommand", bucket],
      ["PutBucketPolicyCommand", { ...bucket, Policy: JSON.stringify(merged) }],
      ["GetPublicAccessBlockCommand", bucket],
      [
        "PutPublicAccessBlockCommand",
        {
          ...bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        },
      ],
      ["GetBucketEncryptionCommand", bucket],
      [
        "PutBucketEncryptionCommand",
        {
          ...bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
          },
        },
      ],
      ["GetBucketVersioningCommand", bucket],
      ["PutBucketVersioningCommand", { ...bucket, VersioningConfiguration: { Status: "Enabled" } }],
      ["GetObjectLockConfigurationCommand", bucket],
      [
        "PutObjectLockConfigurationCommand",
        {
          ...bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 7 } },
          },
        },
      ],
    ]);
    expect(outcome.status).toBe("done");
    expect(outcome.changes).toHaveLength(5);
    expect(outcome.undo).toEqual([
      expect.stringContaining('Remove the statement "TrailwatchContainmentDenyInsecureTransport"'),
      "aws s3api --region us-east-1 delete-public-access-block --bucket cwe-test",
      "Versioning cannot be suspended on a bucket with Object Lock.",
      expect.stringContaining("Object Lock itself cannot be turned off."),
    ]);
  });

  test("an already tight bucket: only reads, and the result says so", async () => {
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: {
          Sid: "AllowSSLRequestsOnly",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: ["arn:aws:s3:::cwe-test/*", "arn:aws:s3:::cwe-test"],
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      }),
    });
    const all = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: all });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }],
      },
    });
    s3.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
    s3.on(GetObjectLockConfigurationCommand).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 30 } },
      },
    });
    const outcome = await act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", 7);
    expect(callsOf(s3).map(([c]) => c)).toEqual([
      "GetBucketPolicyCommand",
      "GetPublicAccessBlockCommand",
      "GetBucketEncryptionCommand",
      "GetBucketVersioningCommand",
      "GetObjectLockConfigurationCommand",
    ]);
    expect(outcome).toEqual({
      status: "unchanged",
      changes: [],
      undo: [],
      notes: [
        "The bucket policy already denies requests made without TLS.",
        "All four Block Public Access settings were already on.",
        "Default encryption was already on (aws:kms); left as it is.",
        "Versioning was already on.",
        "Object Lock was already on with a default retention (COMPLIANCE, 30 days); left as it is.",
      ],
    });
  });

  test("a bucket that receives server access logs gets no Object Lock (S3 would stop delivering)", async () => {
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::cwe-test/*",
          },
        ],
      }),
    });
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
    s3.on(GetBucketEncryptionCommand).rejects(
      awsError("ServerSideEncryptionConfigurationNotFoundError"),
    );
    s3.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" });
    const outcome = await act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", 7);
    expect(s3.commandCalls(GetObjectLockConfigurationCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectLockConfigurationCommand)).toHaveLength(0);
    expect(outcome.notes).toContainEqual(expect.stringContaining("S3 server access log delivery"));
    // Without Object Lock, versioning can go back to what it was.
    expect(outcome.undo).toContain(
      "aws s3api --region us-east-1 put-bucket-versioning --bucket cwe-test --versioning-configuration Status=Suspended",
    );
  });

  test("Object Lock off in the configuration: no Object Lock calls", async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy"));
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
    s3.on(GetBucketEncryptionCommand).rejects(
      awsError("ServerSideEncryptionConfigurationNotFoundError"),
    );
    s3.on(GetBucketVersioningCommand).resolves({});
    const outcome = await act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", undefined);
    expect(callsOf(s3).map(([c]) => c)).not.toContain("GetObjectLockConfigurationCommand");
    const put = s3.commandCalls(PutBucketPolicyCommand)[0].args[0].input;
    expect(JSON.parse(put.Policy!).Statement).toHaveLength(1);
    expect(outcome.undo[0]).toBe(
      "aws s3api --region us-east-1 delete-bucket-policy --bucket cwe-test",
    );
  });

  test("the bucket is gone: status gone, nothing written", async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucket"));
    await expect(act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", 7)).rejects.toThrow(
      "the bucket no longer exists",
    );
    expect(callsOf(s3).map(([c]) => c)).toEqual(["GetBucketPolicyCommand"]);
  });

  test("S3 refusing the merged policy (a public one under Block Public Access) is reported; the other steps still run", async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: existingPolicy });
    s3.on(PutBucketPolicyCommand).rejects(awsError("AccessDenied"));
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: { Rules: [] },
    });
    s3.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
    s3.on(GetObjectLockConfigurationCommand).rejects(
      awsError("ObjectLockConfigurationNotFoundError"),
    );
    const outcome = await act("80486b96-9f31-441e-b4e2-b85a4e520a07", "lock-s3-bucket", 7);
    expect(outcome.status).toBe("partial");
    expect(outcome.notes[0]).toMatch(/^S3 refused the bucket policy/);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectLockConfigurationCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutBucketVersioningCommand)).toHaveLength(0);
  });
});

describe("the TLS-only statement joins an existing policy", () => {
  test("a lone statement object becomes a list; the existing statement is kept as it was", () => {
    const one = {
      Sid: "A",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::b/*",
    };
    const r = addTlsOnlyStatement(
      JSON.stringify({ Version: "2008-10-17", Id: "P1", Statement: one }),
      "b",
    );
    expect(r.kind).toBe("merged");
    const doc = JSON.parse((r as { policy: string }).policy);
    expect(doc.Version).toBe("2008-10-17");
    expect(doc.Id).toBe("P1");
    expect(doc.Statement[0]).toEqual(one);
    expect(doc.Statement[1].Sid).toBe("TrailwatchContainmentDenyInsecureTransport");
  });

  test("our Sid taken by something else: a numbered Sid", () => {
    const taken = {
      Sid: "TrailwatchContainmentDenyInsecureTransport",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::b",
    };
    const r = addTlsOnlyStatement(JSON.stringify({ Statement: [taken] }), "b") as {
      policy: string;
    };
    expect(JSON.parse(r.policy).Statement[1].Sid).toBe(
      "TrailwatchContainmentDenyInsecureTransport2",
    );
  });

  test("a deny covering only objects is not enough: ours is added", () => {
    const partial = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "arn:aws:s3:::b/*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    expect(addTlsOnlyStatement(JSON.stringify({ Statement: [partial] }), "b").kind).toBe("merged");
  });

  test("over S3's 20 KB limit: not written", () => {
    const big = Array.from({ length: 120 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::123456789012:role/role-with-a-long-name-number-${i}` },
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::b/prefix-${i}/*`,
    }));
    const r = addTlsOnlyStatement(JSON.stringify({ Statement: big }), "b");
    expect(r.kind).toBe("too-large");
  });
});

describe("deactivate-access-key calls", () => {
  const id = "c64c4ded-ef03-4e5c-81eb-153b118d72f2";
  const user = "stratus-red-team-backdoor-u-user";
  const key = "AKIAL80DWDVKKM0UXEER";

  test("lists the user's keys, then sets exactly that key Inactive (never deletes)", async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { UserName: user, AccessKeyId: "AKIAOTHERKEY00000000", Status: "Active" },
        { UserName: user, AccessKeyId: key, Status: "Active" },
      ],
    });
    const outcome = await act(id, "deactivate-access-key");
    expect(callsOf(iam)).toEqual([
      ["ListAccessKeysCommand", { UserName: user }],
      ["UpdateAccessKeyCommand", { UserName: user, AccessKeyId: key, Status: "Inactive" }],
    ]);
    expect(outcome.undo).toEqual([
      `aws iam update-access-key --user-name ${user} --access-key-id ${key} --status Active`,
    ]);
  });

  test("already inactive: no write; key deleted or user gone: status gone", async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: user, AccessKeyId: key, Status: "Inactive" }],
    });
    expect((await act(id, "deactivate-access-key")).status).toBe("unchanged");
    iam.reset();
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    expect((await act(id, "deactivate-access-key")).status).toBe("gone");
    iam.reset();
    iam
      .on(ListAccessKeysCommand)
      .rejects(new NoSuchEntityException({ message: "user", $metadata: {} }));
    expect((await act(id, "deactivate-access-key")).status).toBe("gone");
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });
});

describe("delete-login-profile calls", () => {
  test("deletes the named user's login profile; a second time finds none", async () => {
    const outcome = await act("a46a1a42-9ef1-48d4-9c61-507eb6d4019f", "delete-login-profile");
    expect(callsOf(iam)).toEqual([
      ["DeleteLoginProfileCommand", { UserName: "stratus-red-team-update-login-profile-user" }],
    ]);
    expect(outcome.status).toBe("done");
    iam
      .on(DeleteLoginProfileCommand)
      .rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    expect((await act("a46a1a42-9ef1-48d4-9c61-507eb6d4019f", "delete-login-profile")).status).toBe(
      "gone",
    );
  });
});

describe("revoke-public-ingress calls", () => {
  const id = "00000000-0000-0000-0000-00c0ffee5001";
  const group = "sg-0d921df5d84f7270a";
  const rule = (id: string, extra: object) => ({
    SecurityGroupRuleId: id,
    GroupId: group,
    IsEgress: false,
    IpProtocol: "tcp",
    FromPort: 22,
    ToPort: 22,
    ...extra,
  });

  test("reads the group's rules, then revokes exactly the two world-open rule ids", async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        rule("sgr-0a1b2c3d4e5f60718", { CidrIpv4: "0.0.0.0/0" }),
        rule("sgr-0a1b2c3d4e5f60719", { CidrIpv6: "::/0" }),
        rule("sgr-0a1b2c3d4e5f6071a", { CidrIpv4: "10.0.0.0/8", FromPort: 443, ToPort: 443 }),
      ],
    });
    const outcome = await act(id, "revoke-public-ingress");
    expect(callsOf(ec2)).toEqual([
      [
        "DescribeSecurityGroupRulesCommand",
        { Filters: [{ Name: "group-id", Values: [group] }], NextToken: undefined },
      ],
      [
        "RevokeSecurityGroupIngressCommand",
        {
          GroupId: group,
          SecurityGroupRuleIds: ["sgr-0a1b2c3d4e5f60718", "sgr-0a1b2c3d4e5f60719"],
        },
      ],
    ]);
    expect(outcome.undo).toEqual([
      `aws ec2 authorize-security-group-ingress --region ap-northeast-1 --group-id ${group} --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'`,
      `aws ec2 authorize-security-group-ingress --region ap-northeast-1 --group-id ${group} --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,Ipv6Ranges=[{CidrIpv6=::/0}]'`,
    ]);
  });

  test("a rule narrowed in place since the alert is left alone; a missing one is reported gone", async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [rule("sgr-0a1b2c3d4e5f60718", { CidrIpv4: "203.0.113.0/24" })],
    });
    const outcome = await act(id, "revoke-public-ingress");
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(outcome.status).toBe("gone");
    expect(outcome.notes).toEqual([
      "Rule sgr-0a1b2c3d4e5f60718 was changed since the alert and is now ingress tcp 22 from 203.0.113.0/24: left as it is.",
      "Rule sgr-0a1b2c3d4e5f60719 no longer exists (revoked already, or the group is gone).",
    ]);
  });

  test("pages through the group's rules", async () => {
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({
        SecurityGroupRules: [rule("sgr-0a1b2c3d4e5f60718", { CidrIpv4: "0.0.0.0/0" })],
        NextToken: "t1",
      })
      .resolvesOnce({ SecurityGroupRules: [rule("sgr-0a1b2c3d4e5f60719", { CidrIpv6: "::/0" })] });
    await act(id, "revoke-public-ingress");
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[1].args[0].input.NextToken).toBe(
      "t1",
    );
    expect(
      ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0].args[0].input.SecurityGroupRuleIds,
    ).toHaveLength(2);
  });
});

describe("unshare calls", () => {
  test("AMI: removes exactly the account the call added", async () => {
    ec2.on(DescribeImageAttributeCommand).resolves({
      LaunchPermissions: [{ UserId: "846424999548" }, { UserId: "111122223333" }],
    });
    const outcome = await act("1f00bcfa-e050-4c2e-b99b-768ebe3a3dd3", "unshare-ami");
    expect(callsOf(ec2)).toEqual([
      [
        "DescribeImageAttributeCommand",
        { ImageId: "ami-de1fbCab6ccB03e6D", Attribute: "launchPermission" },
      ],
      [
        "ModifyImageAttributeCommand",
        {
          ImageId: "ami-de1fbCab6ccB03e6D",
          LaunchPermission: { Remove: [{ UserId: "846424999548" }] },
        },
      ],
    ]);
    expect(outcome.undo).toEqual([
      "aws ec2 modify-image-attribute --region us-east-1 --image-id ami-de1fbCab6ccB03e6D --launch-permission 'Add=[{UserId=846424999548}]'",
    ]);
  });

  test("AMI made public: removes group all; already private: nothing written", async () => {
    ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [{ Group: "all" }] });
    await act("d1f68cab-64bc-481c-92b4-d0ca2e4a5e65", "unshare-ami");
    expect(ec2.commandCalls(ModifyImageAttributeCommand)[0].args[0].input).toEqual({
      ImageId: "ami-6eb72111",
      LaunchPermission: { Remove: [{ Group: "all" }] },
    });
    ec2.reset();
    ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [] });
    expect((await act("d1f68cab-64bc-481c-92b4-d0ca2e4a5e65", "unshare-ami")).status).toBe("gone");
    expect(ec2.commandCalls(ModifyImageAttributeCommand)).toHaveLength(0);
  });

  test("AMI deregistered: gone", async () => {
    ec2.on(DescribeImageAttributeCommand).rejects(awsError("InvalidAMIID.NotFound"));
    expect((await act("1f00bcfa-e050-4c2e-b99b-768ebe3a3dd3", "unshare-ami")).status).toBe("gone");
  });

  test("EBS snapshot: removes the account's create-volume permission", async () => {
    ec2
      .on(DescribeSnapshotAttributeCommand)
      .resolves({ CreateVolumePermissions: [{ UserId: "098797384747" }] });
    const outcome = await act("6897ff63-d738-445c-9e86-43e5b1f8e12f", "unshare-ebs-snapshot");
    expect(callsOf(ec2)).toEqual([
      [
        "DescribeSnapshotAttributeCommand",
        { SnapshotId: "snap-041993b54a9b3af6f", Attribute: "createVolumePermission" },
      ],
      [
        "ModifySnapshotAttributeCommand",
        {
          SnapshotId: "snap-041993b54a9b3af6f",
          Attribute: "createVolumePermission",
          OperationType: "remove",
          UserIds: ["098797384747"],
          GroupNames: undefined,
        },
      ],
    ]);
    expect(outcome.undo[0]).toBe(
      "aws ec2 modify-snapshot-attribute --region eu-west-1 --snapshot-id snap-041993b54a9b3af6f --attribute createVolumePermission --operation-type add --user-ids 098797384747",
    );
    ec2.reset();
    ec2.on(DescribeSnapshotAttributeCommand).rejects(awsError("InvalidSnapshot.NotFound"));
    expect((await act("6897ff63-d738-445c-9e86-43e5b1f8e12f", "unshare-ebs-snapshot")).status).toBe(
      "gone",
    );
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand)).toHaveLength(0);
  });

  test("RDS snapshot: removes the account from restore", async () => {
    rds.on(DescribeDBSnapshotAttributesCommand).resolves({
      DBSnapshotAttributesResult: {
        DBSnapshotIdentifier: "exfiltration",
        DBSnapshotAttributes: [{ AttributeName: "restore", AttributeValues: ["503161813013"] }],
      },
    });
    const outcome = await act("fef2bf02-bbea-4d0f-a91c-e6ccfe3fba46", "unshare-rds-snapshot");
    expect(callsOf(rds)).toEqual([
      ["DescribeDBSnapshotAttributesCommand", { DBSnapshotIdentifier: "exfiltration" }],
      [
        "ModifyDBSnapshotAttributeCommand",
        {
          DBSnapshotIdentifier: "exfiltration",
          AttributeName: "restore",
          ValuesToRemove: ["503161813013"],
        },
      ],
    ]);
    expect(outcome.undo).toEqual([
      "aws rds modify-db-snapshot-attribute --region us-east-1 --db-snapshot-identifier exfiltration --attribute-name restore --values-to-add 503161813013",
    ]);
    rds.reset();
    rds.on(DescribeDBSnapshotAttributesCommand).rejects(awsError("DBSnapshotNotFoundFault"));
    expect((await act("fef2bf02-bbea-4d0f-a91c-e6ccfe3fba46", "unshare-rds-snapshot")).status).toBe(
      "gone",
    );
    expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)).toHaveLength(0);
  });
});
