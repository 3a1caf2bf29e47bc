/**
 * Metric filter patterns exactly as AWS Security Hub documents them (it checks the text).
 *
 * Source: AWS Security Hub (CSPM) User Guide, "Security Hub CSPM controls for Amazon CloudWatch",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html, fetched 2026-11.
 * The current page renders each filter pattern in a table; the text of the patterns was taken from
 * awsdocs/aws-security-hub-user-guide@bda5bf7ddbdf498557b2ac6a538577528004e6d5:doc_source/cloudwatch-controls.md
 * (the archived markdown of the same page) and, for CloudWatch.4 and CloudWatch.13, which the
 * current page changed after that archive ("Our recommended filter pattern in these remediation
 * steps differs from the filter pattern in the CIS guidance. Our recommended filters target only
 * events coming from IAM API calls" / "... from Amazon Elastic Compute Cloud (EC2) API calls"),
 * from public Terraform modules that cite cloudwatch-controls.html#cloudwatch-4 / #cloudwatch-13.
 *
 * Whitespace, quoting and parentheses are significant: some patterns quote values
 * (`"ConsoleLogin"`, `"Root"`, `"Failed authentication"`), others leave them bare
 * (`ConsoleLogin` in CloudWatch.6, `kms.amazonaws.com`, every `$.eventName=...` list).
 *
 * CIS ids: "CIS 1.2" and "CIS 1.4" are the requirements Security Hub lists for each control
 * ("Related requirements"). "CIS 3.0" is the recommendation number in the CIS AWS Foundations
 * Benchmark v3.0.0 itself; Security Hub lists no v3.0.0 requirement for these controls.
 */
export const SECURITY_HUB_PATTERNS = {
  // [CloudWatch.1] A log metric filter and alarm should exist for usage of the "root" user
  // CIS 1.2: 1.1, 3.3 / CIS 1.4: 1.7, 4.3 / CIS 3.0: 4.3
  "CloudWatch.1":
    '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  // [CloudWatch.2] Ensure a log metric filter and alarm exist for unauthorized API calls
  // CIS 1.2: 3.1 / CIS 1.4: none listed (benchmark 4.1) / CIS 3.0: 4.1
  "CloudWatch.2": '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  // [CloudWatch.3] Ensure a log metric filter and alarm exist for Management Console sign-in without MFA
  // CIS 1.2: 3.2 / CIS 1.4: none listed (benchmark 4.2) / CIS 3.0: 4.2
  "CloudWatch.3":
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  // [CloudWatch.4] Ensure a log metric filter and alarm exist for IAM policy changes
  // CIS 1.2: 3.4 / CIS 1.4: 4.4 / CIS 3.0: 4.4 (Security Hub adds $.eventSource=iam.amazonaws.com)
  "CloudWatch.4":
    "{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}",
  // [CloudWatch.5] Ensure a log metric filter and alarm exist for CloudTrail configuration changes
  // CIS 1.2: 3.5 / CIS 1.4: 4.5 / CIS 3.0: 4.5
  "CloudWatch.5":
    "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
  // [CloudWatch.6] Ensure a log metric filter and alarm exist for AWS Management Console authentication failures
  // CIS 1.2: 3.6 / CIS 1.4: 4.6 / CIS 3.0: 4.6
  "CloudWatch.6": '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  // [CloudWatch.7] Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys
  // CIS 1.2: 3.7 / CIS 1.4: 4.7 / CIS 3.0: 4.7
  "CloudWatch.7":
    "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
  // [CloudWatch.8] Ensure a log metric filter and alarm exist for S3 bucket policy changes
  // CIS 1.2: 3.8 / CIS 1.4: 4.8 / CIS 3.0: 4.8
  "CloudWatch.8":
    "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
  // [CloudWatch.9] Ensure a log metric filter and alarm exist for AWS Config configuration changes
  // CIS 1.2: 3.9 / CIS 1.4: 4.9 / CIS 3.0: 4.9
  "CloudWatch.9":
    "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
  // [CloudWatch.10] Ensure a log metric filter and alarm exist for security group changes
  // CIS 1.2: 3.10 / CIS 1.4: 4.10 / CIS 3.0: 4.10
  "CloudWatch.10":
    "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
  // [CloudWatch.11] Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)
  // CIS 1.2: 3.11 / CIS 1.4: 4.11 / CIS 3.0: 4.11
  "CloudWatch.11":
    "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}",
  // [CloudWatch.12] Ensure a log metric filter and alarm exist for changes to network gateways
  // CIS 1.2: 3.12 / CIS 1.4: 4.12 / CIS 3.0: 4.12
  "CloudWatch.12":
    "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
  // [CloudWatch.13] Ensure a log metric filter and alarm exist for route table changes
  // CIS 1.2: 3.13 / CIS 1.4: 4.13 / CIS 3.0: 4.13 (Security Hub adds $.eventSource=ec2.amazonaws.com)
  "CloudWatch.13":
    "{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable))}",
  // [CloudWatch.14] Ensure a log metric filter and alarm exist for VPC changes
  // CIS 1.2: 3.14 / CIS 1.4: 4.14 / CIS 3.0: 4.14
  "CloudWatch.14":
    "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
} as const;

/**
 * CIS AWS Foundations Benchmark 4.15 (v1.4.0 "Ensure a log metric filter and alarm exists for AWS
 * Organizations changes"; v3.0.0 "Ensure AWS Organizations changes are monitored"). No Security
 * Hub control checks it. Text as in the benchmark's audit step, from
 * mitre/aws-foundations-cis-baseline@0f7fa40d41ab921df1a48b06ec1447fbae557e0f:controls/aws-foundations-cis-4.15.rb
 * (desc 'check' and 'fix', which copy the CIS text), matching
 * turbot/steampipe-mod-aws-compliance@9701e08080cf30cf100b5cf4aaa6c0b18e0e68e8:cis_v150/docs/cis_v150_4_15.md
 * and terraform-aws-modules/terraform-aws-cloudwatch@03d43d5de5c5266efbd5764901af0c928e112323:modules/cis-alarms/main.tf.
 * Copies taken from the v1.4.0 PDF often read `($.eventName= "CreatePolicy")` and
 * `($.eventName ="UpdateOrganizationalUnit")`; this is the evenly spaced text.
 */
export const CIS_ORGANIZATIONS_PATTERN =
  '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }';

/**
 * STALE: the CIS 3.2 / CloudWatch.3 pattern Security Hub documented before it added the
 * `IAMUser` and `Success` terms, from
 * awsdocs/aws-security-hub-user-guide@00be0d255716f0d0c11c0d34a3da3fc9b81fb7e2:doc_source/securityhub-cis-controls.md
 * (same text at @571a2eb0ea988d02dbd22512211d90d9bc50f519). It still ships in
 * aws-solutions/automated-security-response-on-aws@362b0acef9b6f964c218771aa1cee24cde3a51a4:source/playbooks/common/cloudwatch_get_input_values.py.
 * The CIS v1.2.0 PDF spells it `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`.
 * Kept so a test can prove we don't ship it.
 */
export const STALE_CLOUDWATCH_3_PATTERN =
  '{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes")}';
