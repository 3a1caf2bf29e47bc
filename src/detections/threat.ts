import {
  absent,
  all,
  any,
  contains,
  eq,
  lte,
  ne,
  notSuffix,
  prefix,
  present,
  suffix,
  type Condition,
} from "./condition";
import type { Detection, WatchedResources } from "./types";

/**
 * The threat pack: attacker behaviour in AWS, each detection mapped to MITRE ATT&CK and to the
 * Stratus Red Team techniques it catches (stratus.ts). Each matches the distinctive parameter of
 * the call rather than the call itself (an AMI shared = a launch permission ADDED for an account
 * or for everyone, not every ModifyImageAttribute), and stays quiet on failed calls unless the
 * attempt itself is the signal (then the rationale says so). Volume signals are alarms with a
 * threshold and period justified in the rationale and tunable in `detections.alarms`.
 *
 * Request parameter names are CloudTrail's (camelCase of the API member names, as in the
 * published records); each detection is tested on real records where public ones exist and on
 * records constructed from the API reference where none do (__tests__/fixtures/SOURCES.md).
 */
export function threatDetections(w: WatchedResources): Detection[] {
  const common = { pack: "threat" as const, enabledByDefault: true };
  return [
    // Execution -----------------------------------------------------------------------------
    {
      ...common,
      id: "ec2-gpu-instances-requested",
      title: "EC2 GPU or accelerator instances requested",
      severity: "medium",
      rationale:
        "Stolen keys are turned into crypto-mining or model-training bills by launching GPU and accelerator instances (p, g, inf, trn, dl and f families). Attempts count too: a launch refused for lack of permission or quota is how such keys are first tried. ML and graphics teams launch these legitimately, usually from known roles, regions and AMIs; an IAM user key, an unused region or a large maxCount is the tell. Instance types set only in a launch template are not in the request and not seen.",
      investigate:
        "Read requestParameters.instanceType, instancesSet (AMI, maxCount), the region and errorCode; who is the principal and does it normally launch instances? Terminate unknown instances and deactivate the key.",
      references: { attack: ["T1496.001", "T1578.002"] },
      condition: all(
        call("ec2", "RunInstances"),
        any(...["p", "g", "inf", "trn", "dl", "f"].map((f) => prefix(INSTANCE_TYPE, f))),
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ec2-user-data-modified",
      title: "EC2 instance user data changed",
      severity: "high",
      rationale:
        "User data runs as root when an instance starts: replacing it on a stopped instance and starting it again executes an attacker's script with the instance role's credentials. Changing user data in place is rare; infrastructure-as-code normally replaces the instance or its launch template instead. Other instance attributes (type, termination protection) do not match.",
      investigate:
        "Which instance (requestParameters.instanceId), who changed it and from where; `aws ec2 describe-instance-attribute --attribute userData` shows the new script. Look for StopInstances / StartInstances on the same instance around the change.",
      references: { attack: ["T1037"] },
      condition: all(
        call("ec2", "ModifyInstanceAttribute"),
        present("requestParameters.userData"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "sagemaker-notebook-changed",
      title: "SageMaker notebook instance or its lifecycle configuration changed",
      severity: "medium",
      rationale:
        "A notebook instance runs its lifecycle configuration script as root at every start, with the instance's execution role: attaching a new configuration (UpdateNotebookInstance) or rewriting an attached one (UpdateNotebookInstanceLifecycleConfig), then restarting the instance, runs an attacker's code with that role. UpdateNotebookInstance can also swap the role itself. Data-science administrators make these changes occasionally; a principal that is not one of them, or a stop / update / start sequence within minutes, is the tell.",
      investigate:
        "Read requestParameters (notebook instance, lifecycle configuration, role) and the caller; compare the configuration's OnStart script (`aws sagemaker describe-notebook-instance-lifecycle-config`) with the approved one.",
      references: { attack: ["T1037", "T1098"] },
      condition: all(
        call("sagemaker", "UpdateNotebookInstance", "UpdateNotebookInstanceLifecycleConfig"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ssm-shell-command-sent",
      title: "Shell commands sent to instances with SSM Run Command",
      severity: "medium",
      rationale:
        "AWS-RunShellScript and AWS-RunPowerShellScript run arbitrary commands as root on every targeted instance, with their instance roles: an attacker's way to execute on, and steal credentials from, many instances at once. Patch Manager, State Manager and Distributor use their own documents and do not match. Administrators do run ad-hoc commands; a principal that does not usually, many instance ids or an unknown user agent is the tell.",
      investigate:
        "Read requestParameters.instanceIds and the command's output (`aws ssm list-command-invocations --details --command-id` with responseElements.command.commandId).",
      references: { attack: ["T1651"] },
      condition: all(
        call("ssm", "SendCommand"),
        eq("requestParameters.documentName", "AWS-RunShellScript", "AWS-RunPowerShellScript"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ssm-sessions-started",
      title: "SSM sessions started on several instances",
      severity: "medium",
      rationale:
        "Session Manager opens an interactive shell on an instance. One session is routine for teams that use it; three or more within five minutes is someone moving across instances. Alarm: 3 StartSession calls in 300 s; raise the threshold where operators routinely open several sessions.",
      investigate:
        "Run the metric filter pattern in Logs Insights for the last hour, grouped by userIdentity.arn and requestParameters.target; session logs (if enabled) show what was typed.",
      references: { attack: ["T1021.008"] },
      condition: all(call("ssm", "StartSession"), SUCCEEDED),
      alarm: { periodSeconds: 300, threshold: 3 },
      delivery: "alarm",
      scope: "regional",
    },
    // Persistence and privilege escalation ------------------------------------------------------
    {
      ...common,
      id: "iam-role-trust-policy-changed",
      title: "IAM role trust policy changed",
      severity: "high",
      rationale:
        "UpdateAssumeRolePolicy rewrites who may assume a role: adding an outside account or principal is a backdoor that survives password and key rotation. Other role updates (description, session duration, tags) do not match. Trust policies change rarely and through infrastructure-as-code; a change outside a pipeline, or one adding an AWS account, is the tell.",
      investigate:
        "Read requestParameters.policyDocument for new Principal entries (accounts, `*`, federated providers) and compare with the role's definition in code; `aws iam get-role` shows the current trust.",
      references: { attack: ["T1098.003"] },
      condition: all(
        call("iam", "UpdateAssumeRolePolicy"),
        present("requestParameters.policyDocument"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "iam-role-created-cross-account",
      title: "IAM role created that AWS accounts or principals can assume",
      severity: "medium",
      rationale:
        "A new role whose trust policy names an AWS principal (an account, user or role, in any account) is a way back in for whoever that principal is. Roles for AWS services (Service principals) and for SAML/OIDC federation do not match, nor do trailwatch's own roles (CloudTrail, EventBridge). Cross-account roles are created legitimately for tooling and other teams' accounts; an unknown account id is the tell.",
      investigate:
        "Read requestParameters.assumeRolePolicyDocument: which accounts does it trust, with which conditions (sts:ExternalId, aws:PrincipalOrgID)? Check the policies attached to the role next.",
      references: { attack: ["T1098.003", "T1136.003"] },
      condition: all(
        call("iam", "CreateRole"),
        contains("requestParameters.assumeRolePolicyDocument", "AWS"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "iam-user-created",
      title: "IAM user created",
      severity: "medium",
      rationale:
        "A new IAM user with its own password or keys is the simplest persistence: it outlives the session that created it. Organizations that sign in through IAM Identity Center rarely create IAM users; elsewhere they are created by administrators and pipelines, which the principal tells apart.",
      investigate:
        "Who created requestParameters.userName, and what followed: CreateAccessKey, CreateLoginProfile, AttachUserPolicy or AddUserToGroup for the same user.",
      references: { attack: ["T1136.003"] },
      condition: all(call("iam", "CreateUser"), SUCCEEDED),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "iam-access-key-created-for-user",
      title: "IAM access key created for a named user",
      severity: "high",
      rationale:
        "CreateAccessKey with a userName gives a named user a new long-lived key: an attacker with iam:CreateAccessKey keeps access through another identity's key. Users creating their own key usually omit userName (the CLI and console default to the caller), so those calls do not match. Administrators provisioning service users do this legitimately; a key for a user who already has one, or for an administrator, is the tell.",
      investigate:
        "Compare requestParameters.userName with the caller (userIdentity.userName / arn); `aws iam list-access-keys --user-name` and the key's last use (`aws iam get-access-key-last-used`).",
      references: { attack: ["T1098.001"] },
      condition: all(
        call("iam", "CreateAccessKey"),
        present("requestParameters.userName"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "iam-admin-policy-attached",
      title: "AdministratorAccess or IAMFullAccess attached",
      severity: "high",
      rationale:
        "Attaching AdministratorAccess (or IAMFullAccess, which can grant itself anything) to a user, group or role is the last step of most privilege escalations. Other managed policies do not match. Break-glass roles and initial account set-up are the legitimate cases; an attachment outside infrastructure-as-code is the tell.",
      investigate:
        "Which principal received it (requestParameters.userName / roleName / groupName) and who attached it; detach it unless a change record explains it.",
      references: { attack: ["T1098.003"] },
      condition: all(
        call("iam", "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"),
        any(
          suffix("requestParameters.policyArn", ":policy/AdministratorAccess"),
          suffix("requestParameters.policyArn", ":policy/IAMFullAccess"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "iam-console-password-set",
      title: "IAM user console password created or changed by another principal",
      severity: "high",
      rationale:
        "CreateLoginProfile gives a user a console password; UpdateLoginProfile sets a user's password for them (users changing their own password call ChangePassword, which does not match). Either way the caller can now sign in as that user. Help-desk resets are the legitimate case; a reset of an administrator's password, or with passwordResetRequired false, is the tell.",
      investigate:
        "Which user (requestParameters.userName), passwordResetRequired, and whether a ConsoleLogin as that user followed from a new address.",
      references: { attack: ["T1098.001"] },
      condition: all(call("iam", "CreateLoginProfile", "UpdateLoginProfile"), SUCCEEDED),
      delivery: "event",
      scope: "global",
    },
    {
      ...common,
      id: "lambda-function-policy-opened",
      title: "Lambda function opened to everyone or to an AWS account",
      severity: "high",
      rationale:
        "AddPermission with a principal that is not an AWS service (`*`, an account id or an IAM ARN) lets that principal invoke or manage the function: a backdoor into code that runs with the function's role. Permissions for AWS services (S3, SNS, EventBridge, API Gateway, trailwatch's own) do not match. Cross-account invocation is set up legitimately between an organization's accounts; `*` or an unknown account is the tell.",
      investigate:
        "Read requestParameters (principal, action, sourceArn, principalOrgID, functionUrlAuthType); `aws lambda get-policy --function-name` shows the whole resource policy.",
      references: { attack: ["T1098", "T1648"] },
      condition: all(
        call("lambda", "AddPermission20150331v2", "AddPermission20150331"),
        notSuffix("requestParameters.principal", ".amazonaws.com"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "lambda-layer-attached",
      title: "Lambda layers set on an existing function",
      severity: "medium",
      rationale:
        "A layer can carry a Lambda extension, which runs beside the function's code with its role and sees every invocation: setting layers on an existing function injects code without touching the function's own package. Configuration updates that do not set layers do not match. Deployment pipelines update layer versions; a layer from another account or an update outside a deploy is the tell.",
      investigate:
        "Read requestParameters.layers (the account in each layer ARN) and compare with the function's definition in code; `aws lambda get-layer-version-by-arn` shows who published the layer.",
      references: { attack: ["T1648"] },
      condition: all(
        call("lambda", "UpdateFunctionConfiguration20150331v2"),
        present("requestParameters.layers[]"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "lambda-code-updated",
      title: "Lambda function code replaced outside CloudFormation",
      severity: "low",
      rationale:
        "Overwriting a function's code runs the attacker's code with the function's role on its next invocation. Updates made by CloudFormation (CDK, SAM) do not match; Terraform, Serverless and CI pipelines call UpdateFunctionCode directly and do: expect one alert per such deploy, and turn this detection off (detections.disable) if your pipelines deploy Lambda code many times a day.",
      investigate:
        "Is the caller the deploy pipeline (principal, user agent, time)? Compare responseElements.codeSha256 with the pipeline's artifact.",
      references: { attack: ["T1648"] },
      condition: all(
        call("lambda", "UpdateFunctionCode20150331v2"),
        any(
          absent("userIdentity.invokedBy"),
          ne("userIdentity.invokedBy", "cloudformation.amazonaws.com"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "rolesanywhere-anchor-changed",
      title: "IAM Roles Anywhere trust anchor created or changed",
      severity: "high",
      rationale:
        "A trust anchor makes certificates from a certificate authority good for AWS credentials: with their own CA as an anchor and a profile, an attacker mints credentials for the profile's roles from anywhere, for as long as the CA lives. Roles Anywhere is set up rarely and deliberately (on-premises workloads).",
      investigate:
        "Read requestParameters.source (the CA certificate or ACM PCA ARN) and the profiles and roles that use the anchor (`aws rolesanywhere list-profiles`).",
      references: { attack: ["T1098.001"] },
      condition: all(call("rolesanywhere", "CreateTrustAnchor", "UpdateTrustAnchor"), SUCCEEDED),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "sts-federation-token-issued",
      title: "STS federation token issued",
      severity: "medium",
      rationale:
        "GetFederationToken turns an IAM user's key into temporary credentials (up to 36 hours) that keep working after the key is deactivated: a way to survive key rotation. Few modern systems call it (some identity brokers and legacy proxies do); a call from a person's key or an unknown address is the tell. STS calls to the global endpoint are recorded in us-east-1, regional endpoints in their region.",
      investigate:
        "Read requestParameters.name and policy (the session's permissions) and the calling user; revoke by attaching an explicit deny on the user (sessions of a federated user inherit it) and rotate the key.",
      references: { attack: ["T1098.001", "T1078.004"] },
      condition: all(call("sts", "GetFederationToken"), SUCCEEDED),
      delivery: "event",
      scope: "regional",
    },
    // Defense evasion ---------------------------------------------------------------------
    {
      ...common,
      id: "cloudtrail-logging-stopped",
      title: "CloudTrail trail stopped or deleted",
      severity: "critical",
      rationale:
        "Stopping or deleting a trail is how an intruder hides what comes next. trailwatch's own trail is watched by watcher-trail-changed, so only other trails match here. Trails are retired deliberately during migrations, never silently.",
      investigate:
        "`aws cloudtrail get-trail-status --name` for requestParameters.name; restart logging and review everything the caller did since.",
      references: { attack: ["T1562.008"] },
      condition: all(
        call("cloudtrail", "StopLogging", "DeleteTrail"),
        ne("requestParameters.name", w.trailName),
        ne("requestParameters.name", w.trailArn),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "cloudtrail-selectors-narrowed",
      title: "CloudTrail event selectors stop logging management events or write calls",
      severity: "high",
      rationale:
        "PutEventSelectors with includeManagementEvents false, or readWriteType ReadOnly, blinds a trail to every change while it still looks healthy. Selectors that keep management write events do not match (the seed pack's cloudtrail-tampering reports every selector change, advanced selectors included). trailwatch's own trail is watched by watcher-trail-changed.",
      investigate:
        "`aws cloudtrail get-event-selectors --trail-name` for requestParameters.trailName; restore the selectors and review what the caller did while they were narrowed.",
      references: { attack: ["T1562.008"] },
      condition: all(
        call("cloudtrail", "PutEventSelectors"),
        any(
          eq("requestParameters.eventSelectors[].includeManagementEvents", false),
          eq("requestParameters.eventSelectors[].readWriteType", "ReadOnly"),
        ),
        ne("requestParameters.trailName", w.trailName),
        ne("requestParameters.trailName", w.trailArn),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "s3-lifecycle-short-expiration",
      title: "S3 lifecycle rule expires objects within 7 days",
      severity: "medium",
      rationale:
        "A lifecycle rule that expires objects after a day or a few days deletes a bucket's content without a single DeleteObject call: on a CloudTrail or log bucket it erases the evidence (trailwatch's own archive bucket is watched by watcher-archive-bucket-changed). Short expirations are set legitimately on scratch and query-result buckets; on a bucket holding logs or data, they are the tell. Rules are read in both the one-rule (object) and several-rule (array) forms CloudTrail records. A short rule sent with Status Disabled matches too: EventBridge reads both forms alike and could not tie the status to the short rule, and a disabled rule is one call from running.",
      investigate:
        "Which bucket (requestParameters.bucketName) and rule (LifecycleConfiguration.Rule: Expiration.Days, Filter, Status); `aws s3api get-bucket-lifecycle-configuration`; remove the rule before it runs (lifecycle actions run once a day).",
      references: { attack: ["T1562.008", "T1485"] },
      condition: all(
        call("s3", "PutBucketLifecycle"),
        any(
          lte("requestParameters.LifecycleConfiguration.Rule.Expiration.Days", 7),
          lte("requestParameters.LifecycleConfiguration.Rule[].Expiration.Days", 7),
        ),
        ne("requestParameters.bucketName", w.archiveBucket),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "dns-query-logging-deleted",
      title: "Route 53 Resolver query logging deleted or detached",
      severity: "high",
      rationale:
        "Resolver query logs record every DNS name a VPC looks up, the trace of command-and-control and exfiltration over DNS; deleting the configuration or detaching it from a VPC stops them. Teardown of a VPC is the legitimate case.",
      investigate:
        "Which configuration (requestParameters.resolverQueryLogConfigId) and VPC; recreate the association and review the caller's other activity.",
      references: { attack: ["T1562.008"] },
      condition: all(
        call(
          "route53resolver",
          "DeleteResolverQueryLogConfig",
          "DisassociateResolverQueryLogConfig",
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "vpc-flow-logs-deleted",
      title: "VPC flow logs deleted",
      severity: "high",
      rationale:
        "Flow logs record network connections to and from a VPC; deleting them hides exfiltration and lateral movement. Teardown of a VPC or a move to another destination is the legitimate case: a replacement CreateFlowLogs shortly after tells them apart.",
      investigate:
        "Which flow log ids (requestParameters) and VPC; `aws ec2 describe-flow-logs`; recreate and review the caller's other activity.",
      references: { attack: ["T1562.008"] },
      condition: all(call("ec2", "DeleteFlowLogs"), SUCCEEDED),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "organizations-leave-attempted",
      title: "Account tried to leave its AWS Organization",
      severity: "high",
      rationale:
        "Leaving the organization sheds its service control policies, organization trail and central security tooling. The attempt is the signal, so refused calls match too (an SCP denying LeaveOrganization makes the attempt fail, as it should). Accounts leave only in planned migrations.",
      investigate:
        "Who called and whether it succeeded (errorCode); if it did, the account is outside the organization's guardrails: re-invite it and review the caller's activity.",
      references: { attack: ["T1666"] },
      condition: call("organizations", "LeaveOrganization"),
      delivery: "event",
      scope: "global",
    },
    // Credential access ----------------------------------------------------------------------
    {
      ...common,
      id: "ec2-password-data-read-burst",
      title: "EC2 Windows password data read for several instances",
      severity: "medium",
      rationale:
        "GetPasswordData returns the encrypted administrator password of Windows instances. An administrator fetches it for one instance at a time; five or more calls in five minutes, refused ones included (attackers try instances they cannot read), is someone harvesting. Alarm: 5 calls in 300 s.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.instanceId; rotate the passwords of instances that returned data.",
      references: { attack: ["T1552"] },
      condition: call("ec2", "GetPasswordData"),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 5 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "secretsmanager-batch-read",
      title: "Secrets Manager secrets read in a batch",
      severity: "medium",
      rationale:
        "BatchGetSecretValue returns up to 20 secrets in one call, by name list or by filter (a tag or name prefix): the fastest way to empty a secrets store. Applications read the secrets they need by name with GetSecretValue; batch reads are rare, so each period with one alarms. Alarm: 1 call in 300 s; raise it if an application uses batch reads.",
      investigate:
        "Read requestParameters (secretIdList or filters) and the caller; rotate the secrets it could read.",
      references: { attack: ["T1555.006"] },
      condition: all(call("secretsmanager", "BatchGetSecretValue"), SUCCEEDED),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 1 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "secretsmanager-secrets-read-burst",
      title: "Many Secrets Manager secrets read",
      severity: "medium",
      rationale:
        "An intruder reads every secret it can list. Applications read a few secrets at start-up and cache them; twenty successful GetSecretValue calls in five minutes is more than a handful of services restarting, unless a fleet scales out. Reads AWS services make on your behalf (userIdentity.invokedBy, e.g. CloudFormation dynamic references) do not count. Alarm: 20 reads in 300 s; in accounts whose services read secrets on every request, raise the threshold after a backtest.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn: one principal reading many distinct secretIds is the signal; rotate what it read.",
      references: { attack: ["T1555.006"] },
      condition: all(
        call("secretsmanager", "GetSecretValue"),
        absent("userIdentity.invokedBy"),
        SUCCEEDED,
      ),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 20 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "ssm-secure-parameters-read-burst",
      title: "Many SecureString parameters decrypted",
      severity: "medium",
      rationale:
        "GetParameter(s) and GetParametersByPath with withDecryption true return SecureString values in clear: an intruder reads them by the dozen (GetParameters takes 10 names a call). Applications read their configuration at start-up; five decrypting calls in five minutes by people or new principals is the tell. Reads AWS services make on your behalf do not count. Alarm: 5 calls in 300 s; raise it where services decrypt parameters on every start and a fleet scales often.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.names / path; rotate the secrets it read.",
      references: { attack: ["T1555.006"] },
      condition: all(
        call("ssm", "GetParameter", "GetParameters", "GetParametersByPath"),
        eq("requestParameters.withDecryption", true),
        absent("userIdentity.invokedBy"),
        SUCCEEDED,
      ),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 5 },
      delivery: "alarm",
      scope: "regional",
    },
    // Discovery -------------------------------------------------------------------------------
    {
      ...common,
      id: "instance-credentials-account-discovery",
      title: "EC2 instance credentials used to enumerate the account",
      severity: "medium",
      rationale:
        "Calls with an instance role's credentials carry userIdentity.sessionContext.ec2RoleDelivery. Workloads on instances read their own resources; listing users, roles, buckets, trails and detectors (or downloading the whole IAM configuration) is what someone who took over the instance does first, refused attempts included (they probe what the role may do). Alarm: 3 such calls in 300 s; inventory or security agents that run on instances do this legitimately and are told apart by the role.",
      investigate:
        "Which instance (the role session name is the instance id in userIdentity.arn) and what else its role did; isolate the instance if the calls are not its workload's.",
      references: { attack: ["T1580", "T1087.004"] },
      condition: all(
        present("userIdentity.sessionContext.ec2RoleDelivery"),
        any(
          call("iam", ...IAM_DISCOVERY_CALLS),
          call("s3", "ListBuckets"),
          call("cloudtrail", "DescribeTrails"),
          call("guardduty", "ListDetectors"),
        ),
      ),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 3 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "ec2-user-data-read-burst",
      title: "EC2 user data read from several instances",
      severity: "medium",
      rationale:
        "User data often holds bootstrap secrets (passwords, tokens, keys). Reading the userData attribute of five or more instances in five minutes, refused attempts included, is someone harvesting them; other attributes do not match, nor do reads AWS services make on your behalf (userIdentity.invokedBy, e.g. CloudFormation). Inventory and cloud-security scanners do this on a schedule and are told apart by the principal. Alarm: 5 calls in 300 s.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn; move secrets out of user data (Secrets Manager, Parameter Store) and rotate them.",
      references: { attack: ["T1552", "T1580"] },
      condition: all(
        call("ec2", "DescribeInstanceAttribute"),
        eq("requestParameters.attribute", "userData"),
        absent("userIdentity.invokedBy"),
      ),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 5 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "ses-sending-enumerated",
      title: "SES sending limits and identities enumerated",
      severity: "medium",
      rationale:
        "Before sending phishing or spam with a stolen key, attackers check whether SES can send and how much (GetAccountSendingEnabled, GetSendQuota, GetAccount) and which identities are verified (ListIdentities, ListEmailIdentities). The SES console makes some of these calls when opened; three or more in five minutes from a principal that does not run email is the tell, refused attempts included. Calls AWS services make (sourceIPAddress is the service, e.g. Trusted Advisor checking the send quota) do not count. Alarm: 3 calls in 300 s.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and awsRegion (enumeration often spans regions); look for SendEmail / SendRawEmail and CreateEmailIdentity next.",
      references: { attack: ["T1526"] },
      condition: all(
        call(
          "ses",
          "GetAccountSendingEnabled",
          "GetSendQuota",
          "GetAccount",
          "ListIdentities",
          "ListEmailIdentities",
        ),
        notSuffix("sourceIPAddress", ".amazonaws.com"),
      ),
      matchesReadOnly: true,
      alarm: { periodSeconds: 300, threshold: 3 },
      delivery: "alarm",
      scope: "regional",
    },
    // Lateral movement ------------------------------------------------------------------------
    {
      ...common,
      id: "ec2-serial-console-access",
      title: "EC2 serial console access enabled or an SSH key pushed to it",
      severity: "high",
      rationale:
        "The serial console reaches an instance below its network and security groups. EnableSerialConsoleAccess turns it on for the account and region; SendSerialConsoleSSHPublicKey pushes a key for 60 seconds to connect. Both are break-glass operations for unbootable instances.",
      investigate:
        "Which instance (requestParameters.instanceId) and who connected; `aws ec2 disable-serial-console-access` unless someone is recovering an instance.",
      references: { attack: ["T1021.008"] },
      condition: all(
        any(
          call("ec2", "EnableSerialConsoleAccess"),
          call("ec2-instance-connect", "SendSerialConsoleSSHPublicKey"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ec2-instance-connect-keys-sent",
      title: "EC2 Instance Connect keys pushed to several instances",
      severity: "medium",
      rationale:
        "SendSSHPublicKey installs a key on an instance for 60 seconds, enough to log in as its OS user. One connection is routine where teams use Instance Connect; three or more in five minutes is someone moving across instances. Alarm: 3 calls in 300 s.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.instanceId / instanceOSUser.",
      references: { attack: ["T1021.008"] },
      condition: all(call("ec2-instance-connect", "SendSSHPublicKey"), SUCCEEDED),
      alarm: { periodSeconds: 300, threshold: 3 },
      delivery: "alarm",
      scope: "regional",
    },
    // Exfiltration ----------------------------------------------------------------------------
    {
      ...common,
      id: "ec2-ami-shared",
      title: "AMI shared with an AWS account or made public",
      severity: "high",
      rationale:
        "Adding a launch permission for an account id, or for the group `all`, lets that account (or everyone) copy the image and its disks. Removing a share, or sharing within your organization by organization or OU ARN, does not match. AMI distribution to known accounts is the legitimate case.",
      investigate:
        "Read requestParameters.launchPermission.add.items (the account ids) and the image; revoke with `aws ec2 modify-image-attribute --launch-permission Remove=...`.",
      references: { attack: ["T1537"] },
      condition: all(
        call("ec2", "ModifyImageAttribute"),
        any(
          present("requestParameters.launchPermission.add.items[].userId"),
          eq("requestParameters.launchPermission.add.items[].group", "all"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ebs-snapshot-shared",
      title: "EBS snapshot shared with an AWS account or made public",
      severity: "high",
      rationale:
        "Adding a create-volume permission for an account id, or for the group `all`, lets that account (or everyone) create a volume from the snapshot and read the disk. Removing a share does not match. Sharing with a backup or disaster-recovery account is the legitimate case.",
      investigate:
        "Read requestParameters.createVolumePermission.add.items (the account ids) and the snapshot; revoke with `aws ec2 modify-snapshot-attribute --create-volume-permission Remove=...`.",
      references: { attack: ["T1537"] },
      condition: all(
        call("ec2", "ModifySnapshotAttribute"),
        any(
          present("requestParameters.createVolumePermission.add.items[].userId"),
          eq("requestParameters.createVolumePermission.add.items[].group", "all"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "rds-snapshot-shared",
      title: "RDS snapshot shared with an AWS account or made public",
      severity: "high",
      rationale:
        "Adding values to a DB (or DB cluster) snapshot's restore attribute lets those accounts (or `all`) restore the database. Removing accounts, or calls that add none, do not match. Sharing with a backup account is the legitimate case.",
      investigate:
        "Read requestParameters.valuesToAdd and the snapshot; revoke with `aws rds modify-db-snapshot-attribute --attribute-name restore --values-to-remove`.",
      references: { attack: ["T1537"] },
      condition: all(
        call("rds", "ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"),
        eq("requestParameters.attributeName", "restore"),
        present("requestParameters.valuesToAdd[]"),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "s3-bucket-policy-grants-account",
      title: "S3 bucket policy grants access to a whole AWS account",
      severity: "medium",
      rationale:
        "A bucket policy statement whose AWS principal is an account root (`arn:aws:iam::<account>:root`) delegates the bucket to everyone that account lets in: the classic backdoor for exfiltrating data to an attacker's account. A principal of `*` is not matched: `*` is the filter pattern's wildcard, so no metric filter can test for it exactly (S3 Block Public Access, on by default for new buckets, refuses such policies; cis-s3-bucket-policy-changes reports every policy change and IAM Access Analyzer every public grant). Policies that name only roles, users or AWS services, and trailwatch's own archive bucket (watched by watcher-archive-bucket-changed), do not match. Sharing with a partner or logging account is the legitimate case; an unknown account id is the tell. A list of AWS principals in one statement is searched by the event rule only (the metric filter and Athena read single principals).",
      investigate:
        "Read requestParameters.bucketPolicy.Statement (principals, actions, Effect) and compare with the bucket's definition in code; IAM Access Analyzer lists every external grant.",
      references: { attack: ["T1537"] },
      condition: all(
        call("s3", "PutBucketPolicy"),
        suffix("requestParameters.bucketPolicy.Statement[].Principal.AWS", ":root"),
        ne("requestParameters.bucketName", w.archiveBucket),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    // Impact ----------------------------------------------------------------------------------
    {
      ...common,
      id: "bedrock-model-access-enabled",
      title: "Amazon Bedrock model access enabled",
      severity: "medium",
      rationale:
        "Attackers with stolen keys resell access to foundation models (LLMjacking); in an account that does not use Bedrock they first submit the use-case form and accept model agreements (PutUseCaseForModelAccess, CreateFoundationModelAgreement, PutFoundationModelEntitlement). Teams adopting Bedrock do this once per model; outside such a project it is the tell. Model invocations themselves need a usage baseline (out of reach for a pattern; see docs/coverage.md).",
      investigate:
        "Which models (requestParameters.modelId) and regions, and whether InvokeModel / Converse calls followed from the same principal; remove the entitlement and the key.",
      references: { attack: ["T1496.004"] },
      condition: all(
        call(
          "bedrock",
          "PutUseCaseForModelAccess",
          "CreateFoundationModelAgreement",
          "PutFoundationModelEntitlement",
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "ec2-ami-deregistered",
      title: "AMI deregistered",
      severity: "low",
      rationale:
        "Deregistering AMIs breaks recovery, scaling and redeployment that depend on them, a step in destructive attacks. Image pipelines retire old AMIs routinely; deregistrations AWS services make on your behalf (userIdentity.invokedBy: Data Lifecycle Manager, Image Builder) do not match, and a principal that does not build images is the tell.",
      investigate:
        "Which image (requestParameters.imageId) and deleteAssociatedSnapshots; the backing snapshots can re-register it if they still exist (`aws ec2 register-image`).",
      references: { attack: ["T1485"] },
      condition: all(call("ec2", "DeregisterImage"), absent("userIdentity.invokedBy"), SUCCEEDED),
      delivery: "event",
      scope: "regional",
    },
    {
      ...common,
      id: "s3-objects-batch-deleted",
      title: "S3 objects deleted in a batch",
      severity: "medium",
      rationale:
        "DeleteObjects removes up to 1,000 objects (or object versions) per call: one call can empty a bucket, the first step of S3 ransomware (Stratus Red Team's emulation empties its bucket with a single call). Data events are logged only for the buckets you chose (trail.s3DataEvents), usually those whose data matters, where batch deletions are rare; clean-up jobs and `aws s3 rm --recursive` batch-delete too and are told apart by principal and bucket. Without S3 data events nothing reaches this alarm. Alarm: 1 call in 300 s; raise it for buckets that clean-up jobs empty routinely.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.bucketName; with versioning, the deleted versions may still be restorable.",
      references: { attack: ["T1485"] },
      condition: all(call("s3", "DeleteObjects"), SUCCEEDED),
      alarm: { periodSeconds: 300, threshold: 1 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "s3-object-versions-deleted-burst",
      title: "Many S3 object versions permanently deleted",
      severity: "high",
      rationale:
        "DeleteObject with a versionId destroys that version for good, where a plain delete only adds a delete marker: ransomware removes every version so nothing can be restored. Lifecycle expiration does not make these calls; applications rarely do. Needs S3 data events for the buckets (trail.s3DataEvents or trail.s3DataEventsAllBuckets). Alarm: 20 calls in 300 s.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.bucketName; block the principal and check what versions remain (`aws s3api list-object-versions`).",
      references: { attack: ["T1485"] },
      condition: all(call("s3", "DeleteObject"), present("requestParameters.versionId"), SUCCEEDED),
      alarm: { periodSeconds: 300, threshold: 20 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "s3-sse-c-writes",
      title: "S3 objects written with a customer-provided encryption key (SSE-C)",
      severity: "high",
      rationale:
        "With SSE-C the caller supplies the key and AWS keeps none: rewriting a bucket's objects with SSE-C encrypts them for ransom (the Codefinger campaign). Few applications use SSE-C; where none does, any SSE-C write is the tell. Needs S3 data events for the buckets (trail.s3DataEvents or trail.s3DataEventsAllBuckets). Alarm: 1 write in 300 s; raise it, or deny s3:PutObject with SSE-C by policy, where SSE-C is in use.",
      investigate:
        "Run the metric filter pattern in Logs Insights grouped by userIdentity.arn and requestParameters.bucketName; block the principal at once: objects it rewrote are unreadable without its key.",
      references: { attack: ["T1486"] },
      condition: all(
        call("s3", "PutObject", "CopyObject", "CreateMultipartUpload"),
        present("requestParameters.x-amz-server-side-encryption-customer-algorithm"),
        SUCCEEDED,
      ),
      alarm: { periodSeconds: 300, threshold: 1 },
      delivery: "alarm",
      scope: "regional",
    },
    {
      ...common,
      id: "security-group-open-to-internet",
      title: "Security group ingress opened to the whole internet",
      severity: "medium",
      rationale:
        "An ingress rule from 0.0.0.0/0 or ::/0 (any /0) exposes every port it names to the internet: SSH or RDP opened this way is an attacker's way back in or out. The created rules are read from the response (responseElements.securityGroupRuleSet), which lists them whichever request form was used. Records from before the response listed them (2021) are not matched: reading the request's nested ipPermissions too makes a metric filter pattern longer than CloudWatch Logs allows; security-group-rule-changed (seed) reports every ingress change. Public load balancers and web servers legitimately take 80/443 from anywhere; other ports are the tell.",
      investigate:
        "Read responseElements.securityGroupRuleSet.items (ports, CIDR) and the group; revoke with `aws ec2 revoke-security-group-ingress --security-group-rule-ids`.",
      references: { attack: ["T1562.007"] },
      condition: all(
        call("ec2", "AuthorizeSecurityGroupIngress"),
        any(
          suffix("responseElements.securityGroupRuleSet.items[].cidrIpv4", "/0"),
          suffix("responseElements.securityGroupRuleSet.items[].cidrIpv6", "/0"),
        ),
        SUCCEEDED,
      ),
      delivery: "event",
      scope: "regional",
    },
  ];
}

const INSTANCE_TYPE = "requestParameters.instanceType";

/** The call succeeded: CloudTrail records an errorCode for every refused or failed call. */
const SUCCEEDED = absent("errorCode");

/** Account-wide IAM listing calls an instance's own workload rarely makes. */
const IAM_DISCOVERY_CALLS = [
  "GetAccountAuthorizationDetails",
  "GetAccountSummary",
  "ListUsers",
  "ListRoles",
  "ListGroups",
  "ListPolicies",
  "ListAccessKeys",
];

/** A call to one service (`<service>.amazonaws.com`) by one of the event names. */
function call(service: string, ...eventNames: string[]): Condition {
  return all(eq("eventSource", `${service}.amazonaws.com`), eq("eventName", ...eventNames));
}
