/**
 * Every AWS attack technique of Stratus Red Team (DataDog's adversary emulation; Apache-2.0), with
 * what trailwatch does about it: the detections that fire on its CloudTrail signal, or why no
 * CloudTrail pattern can see it and what does. docs/coverage.md is generated from this table, and
 * __tests__/threat.test.ts checks each "detected" entry against the technique's detonation
 * records in the fixtures (or, where Stratus publishes none, records constructed from its
 * documentation).
 *
 * Source: DataDog/stratus-red-team@7c9a7a5a63dc370260a6528dd0d30476854806c1,
 * docs/attack-techniques/AWS/ (44 techniques) and docs/detonation-logs/ (35 of them).
 */

export interface StratusTechnique {
  /** Stratus Red Team id, e.g. "aws.exfiltration.ec2-share-ami". */
  readonly id: string;
  readonly name: string;
  /** Whether Stratus publishes detonation logs (docs/detonation-logs/<id>.json). */
  readonly detonationLogs: boolean;
  /** The CloudTrail signal trailwatch matches, in a few words. */
  readonly signal: string;
  /** Detections that fire on the signal (any pack). Empty: out of reach. */
  readonly detectedBy: readonly string[];
  /** Out of reach: why no CloudTrail pattern can see it, and what covers it. */
  readonly outOfReach?: string;
  /** What part of the technique is detected when its core is out of reach. */
  readonly note?: string;
}

export const STRATUS_COMMIT = "7c9a7a5a63dc370260a6528dd0d30476854806c1";

const t = (
  id: string,
  name: string,
  detonationLogs: boolean,
  signal: string,
  detectedBy: readonly string[],
  extra: { outOfReach?: string; note?: string } = {},
): StratusTechnique => ({ id, name, detonationLogs, signal, detectedBy, ...extra });

export const STRATUS_AWS_TECHNIQUES: readonly StratusTechnique[] = [
  t(
    "aws.credential-access.ec2-get-password-data",
    "Retrieve EC2 Password Data",
    true,
    "GetPasswordData on many instances (refused calls included)",
    ["ec2-password-data-read-burst"],
  ),
  t(
    "aws.credential-access.ec2-steal-instance-credentials",
    "Steal EC2 Instance Credentials",
    true,
    "SendCommand running a shell script on the instance",
    ["ssm-shell-command-sent"],
    {
      outOfReach:
        "Using the stolen instance credentials from outside the instance looks like any call of the instance role: telling them apart needs the instance's own addresses. GuardDuty finding types UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS and .InsideAWS compare them.",
      note: "the Run Command that fetches the credentials on the instance is detected",
    },
  ),
  t(
    "aws.credential-access.secretsmanager-batch-retrieve-secrets",
    "Retrieve a High Number of Secrets Manager secrets (Batch)",
    true,
    "BatchGetSecretValue",
    ["secretsmanager-batch-read"],
  ),
  t(
    "aws.credential-access.secretsmanager-retrieve-secrets",
    "Retrieve a High Number of Secrets Manager secrets",
    true,
    "a burst of GetSecretValue",
    ["secretsmanager-secrets-read-burst"],
  ),
  t(
    "aws.credential-access.ssm-retrieve-securestring-parameters",
    "Retrieve And Decrypt SSM Parameters",
    true,
    "a burst of GetParameters with withDecryption true",
    ["ssm-secure-parameters-read-burst"],
  ),
  t("aws.defense-evasion.cloudtrail-delete", "Delete CloudTrail Trail", true, "DeleteTrail", [
    "cloudtrail-logging-stopped",
    "cloudtrail-tampering",
    "cis-cloudtrail-changes",
  ]),
  t(
    "aws.defense-evasion.cloudtrail-event-selectors",
    "Disable CloudTrail Logging Through Event Selectors",
    true,
    "PutEventSelectors with includeManagementEvents false or readWriteType ReadOnly",
    ["cloudtrail-selectors-narrowed", "cloudtrail-tampering"],
  ),
  t(
    "aws.defense-evasion.cloudtrail-lifecycle-rule",
    "CloudTrail Logs Impairment Through S3 Lifecycle Rule",
    false,
    "PutBucketLifecycle with an expiration of 7 days or less",
    ["s3-lifecycle-short-expiration", "cis-s3-bucket-policy-changes"],
  ),
  t("aws.defense-evasion.cloudtrail-stop", "Stop CloudTrail Trail", true, "StopLogging", [
    "cloudtrail-logging-stopped",
    "cloudtrail-tampering",
    "cis-cloudtrail-changes",
  ]),
  t(
    "aws.defense-evasion.dns-delete-logs",
    "Delete DNS query logs",
    true,
    "DeleteResolverQueryLogConfig",
    ["dns-query-logging-deleted"],
  ),
  t(
    "aws.defense-evasion.organizations-leave",
    "Attempt to Leave the AWS Organization",
    true,
    "LeaveOrganization (refused calls included)",
    ["organizations-leave-attempted", "cis-organizations-changes"],
  ),
  t("aws.defense-evasion.vpc-remove-flow-logs", "Remove VPC Flow Logs", true, "DeleteFlowLogs", [
    "vpc-flow-logs-deleted",
  ]),
  t(
    "aws.discovery.ec2-download-user-data",
    "Download EC2 Instance User Data",
    true,
    "DescribeInstanceAttribute userData on many instances (refused calls included)",
    ["ec2-user-data-read-burst"],
  ),
  t(
    "aws.discovery.ec2-enumerate-from-instance",
    "Execute Discovery Commands on an EC2 Instance",
    false,
    "IAM, S3, CloudTrail and GuardDuty listing calls made with instance-role credentials",
    ["instance-credentials-account-discovery"],
  ),
  t(
    "aws.discovery.ses-enumerate",
    "Enumerate SES",
    false,
    "GetAccountSendingEnabled, GetSendQuota, ListIdentities in a burst",
    ["ses-sending-enumerated"],
  ),
  t(
    "aws.execution.ec2-launch-unusual-instances",
    "Launch Unusual EC2 instances",
    true,
    "RunInstances of GPU instance types (refused calls included)",
    ["ec2-gpu-instances-requested"],
  ),
  t(
    "aws.execution.ec2-user-data",
    "Execute Commands on EC2 Instance via User Data",
    true,
    "ModifyInstanceAttribute setting userData",
    ["ec2-user-data-modified"],
  ),
  t(
    "aws.execution.sagemaker-update-lifecycle-config",
    "Execute Commands on SageMaker Notebook Instance via Lifecycle Configuration",
    false,
    "UpdateNotebookInstance attaching a lifecycle configuration",
    ["sagemaker-notebook-changed"],
  ),
  t(
    "aws.execution.ssm-send-command",
    "Usage of ssm:SendCommand on multiple instances",
    true,
    "SendCommand with AWS-RunShellScript",
    ["ssm-shell-command-sent"],
  ),
  t(
    "aws.execution.ssm-start-session",
    "Usage of ssm:StartSession on multiple instances",
    true,
    "StartSession on several instances",
    ["ssm-sessions-started"],
  ),
  t(
    "aws.exfiltration.ec2-security-group-open-port-22-ingress",
    "Open Ingress Port 22 on a Security Group",
    true,
    "AuthorizeSecurityGroupIngress creating a rule from a /0 range",
    [
      "security-group-open-to-internet",
      "security-group-rule-changed",
      "cis-security-group-changes",
    ],
  ),
  t(
    "aws.exfiltration.ec2-share-ami",
    "Exfiltrate an AMI by Sharing It",
    true,
    "ModifyImageAttribute adding a launch permission for an account or all",
    ["ec2-ami-shared"],
  ),
  t(
    "aws.exfiltration.ec2-share-ebs-snapshot",
    "Exfiltrate EBS Snapshot by Sharing It",
    true,
    "ModifySnapshotAttribute adding a create-volume permission for an account or all",
    ["ebs-snapshot-shared"],
  ),
  t(
    "aws.exfiltration.rds-share-snapshot",
    "Exfiltrate RDS Snapshot by Sharing",
    true,
    "ModifyDBSnapshotAttribute adding accounts to the restore attribute",
    ["rds-snapshot-shared"],
  ),
  t(
    "aws.exfiltration.s3-backdoor-bucket-policy",
    "Backdoor an S3 Bucket via its Bucket Policy",
    false,
    "PutBucketPolicy granting an account root principal",
    ["s3-bucket-policy-grants-account", "cis-s3-bucket-policy-changes"],
  ),
  t(
    "aws.impact.bedrock-invoke-model",
    "Invoke Bedrock Model",
    true,
    "PutUseCaseForModelAccess / PutFoundationModelEntitlement enabling model access",
    ["bedrock-model-access-enabled"],
    {
      outOfReach:
        "InvokeModel itself is what every Bedrock application does: abuse shows only against a usage baseline (volume, models, regions per principal), which a fixed pattern does not have. GuardDuty's Bedrock protection and CloudWatch metrics of Bedrock invocations (InvocationCount per model) with anomaly detection cover it.",
      note: "enabling model access, the set-up step in accounts that did not use Bedrock, is detected",
    },
  ),
  t("aws.impact.ec2-deregister-ami", "Deregister an Amazon EC2 AMI", false, "DeregisterImage", [
    "ec2-ami-deregistered",
  ]),
  t(
    "aws.impact.s3-ransomware-batch-deletion",
    "S3 Ransomware through batch file deletion",
    false,
    "DeleteObjects, one call emptying the bucket (S3 data events)",
    ["s3-objects-batch-deleted"],
  ),
  t(
    "aws.impact.s3-ransomware-client-side-encryption",
    "S3 Ransomware through client-side encryption",
    false,
    "CopyObject / PutObject with a customer-provided key (SSE-C; S3 data events)",
    ["s3-sse-c-writes"],
  ),
  t(
    "aws.impact.s3-ransomware-individual-deletion",
    "S3 Ransomware through individual file deletion",
    false,
    "a burst of DeleteObject with a versionId (S3 data events)",
    ["s3-object-versions-deleted-burst"],
  ),
  t(
    "aws.initial-access.console-login-without-mfa",
    "Console Login without MFA",
    true,
    "ConsoleLogin of an IAM user without MFA",
    ["cis-console-signin-without-mfa"],
  ),
  t(
    "aws.lateral-movement.ec2-instance-connect",
    "Usage of EC2 Instance Connect on multiple instances",
    true,
    "SendSSHPublicKey on several instances",
    ["ec2-instance-connect-keys-sent"],
  ),
  t(
    "aws.lateral-movement.ec2-serial-console-send-ssh-public-key",
    "Usage of EC2 Serial Console to push SSH public key",
    true,
    "EnableSerialConsoleAccess, SendSerialConsoleSSHPublicKey",
    ["ec2-serial-console-access"],
  ),
  t("aws.persistence.iam-backdoor-role", "Backdoor an IAM Role", true, "UpdateAssumeRolePolicy", [
    "iam-role-trust-policy-changed",
  ]),
  t(
    "aws.persistence.iam-backdoor-user",
    "Create an Access Key on an IAM User",
    true,
    "CreateAccessKey for a named user",
    ["iam-access-key-created-for-user", "iam-access-key-created"],
  ),
  t(
    "aws.persistence.iam-create-admin-user",
    "Create an administrative IAM User",
    true,
    "CreateUser, AttachUserPolicy AdministratorAccess, CreateAccessKey",
    [
      "iam-user-created",
      "iam-admin-policy-attached",
      "iam-access-key-created-for-user",
      "cis-iam-policy-changes",
    ],
  ),
  t(
    "aws.persistence.iam-create-backdoor-role",
    "Create a backdoored IAM Role",
    true,
    "CreateRole trusting an AWS account",
    ["iam-role-created-cross-account"],
  ),
  t(
    "aws.persistence.iam-create-user-login-profile",
    "Create a Login Profile on an IAM User",
    true,
    "CreateLoginProfile",
    ["iam-console-password-set"],
  ),
  t(
    "aws.persistence.lambda-backdoor-function",
    "Backdoor Lambda Function Through Resource-Based Policy",
    true,
    "AddPermission with principal * or an account",
    ["lambda-function-policy-opened"],
  ),
  t(
    "aws.persistence.lambda-layer-extension",
    "Add a Malicious Lambda Extension",
    true,
    "UpdateFunctionConfiguration setting layers",
    ["lambda-layer-attached"],
  ),
  t(
    "aws.persistence.lambda-overwrite-code",
    "Overwrite Lambda Function Code",
    true,
    "UpdateFunctionCode not made by CloudFormation",
    ["lambda-code-updated"],
  ),
  t(
    "aws.persistence.rolesanywhere-create-trust-anchor",
    "Create an IAM Roles Anywhere trust anchor",
    true,
    "CreateTrustAnchor",
    ["rolesanywhere-anchor-changed"],
  ),
  t(
    "aws.persistence.sts-federation-token",
    "Generate temporary AWS credentials using GetFederationToken",
    true,
    "GetFederationToken",
    ["sts-federation-token-issued"],
  ),
  t(
    "aws.privilege-escalation.iam-update-user-login-profile",
    "Change IAM user password",
    true,
    "UpdateLoginProfile",
    ["iam-console-password-set"],
  ),
];
