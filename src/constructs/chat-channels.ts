import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { ChatbotTeamsChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-teams-channel-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { encodeTeamsChannelId, type ChatChannel } from "../config/channels";
import { policy, renderPolicy, type PolicyDocument } from "../policy";
import { stableId } from "../terraform/stable-id";

/**
 * The most any member of a trailwatch chat channel can do through AWS Chatbot, whatever role they
 * map to: read CloudWatch (alarms, metrics, logs' metadata), never change anything (an AWS managed
 * policy; AWS Chatbot Administrator Guide, "Understanding guardrail policies").
 */
export const CHATBOT_GUARDRAIL_POLICY = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess";

/**
 * What the channel role may do: read CloudWatch so Chatbot can render alarm notifications with
 * their graph (the "Notification permissions" policy template of the AWS Chatbot Administrator
 * Guide). These actions have no resource-level permissions beyond `*` for the Get/List calls.
 */
export const CHATBOT_CHANNEL_ACTIONS = [
  "cloudwatch:Describe*",
  "cloudwatch:Get*",
  "cloudwatch:List*",
] as const;

export interface ChatChannelsProps {
  readonly account: string;
  /** `<name>-`: prefixes configuration and role names. */
  readonly resourcePrefix: string;
  /** Each chat channel with the chat topics (of its routes) it shows. */
  readonly channels: readonly {
    readonly channel: ChatChannel;
    readonly topicArns: readonly string[];
  }[];
  /** An AWS provider in a region that serves the AWS Chatbot API (`CHATBOT_REGIONS`). */
  readonly chatbotProvider: TerraformProvider;
}

/**
 * Slack and Microsoft Teams channels through AWS Chatbot (Amazon Q Developer in chat
 * applications): per channel, a channel configuration subscribed to its chat topics, and a role
 * that can only read CloudWatch, under a read-only guardrail. User-level roles are required for
 * commands, so the channel role serves notifications only. Resources are keyed by channel name.
 *
 * The role's trust names the Chatbot service without aws:SourceAccount / aws:SourceArn: Chatbot
 * does not document sending them when it assumes a channel role, and a condition it does not send
 * would silently stop the notifications. The confused deputy is closed by iam:PassRole instead:
 * only a principal of this account can attach the role to a channel configuration.
 *
 * The Slack workspace or Teams tenant must have been authorized once in the AWS Chatbot console
 * (us-east-2) before Terraform can create these configurations.
 */
export class ChatChannels extends Construct {
  /** By channel name: the role's trust and permission documents (for the policy tests). */
  readonly roles: Record<
    string,
    { readonly trust: PolicyDocument; readonly permissions: PolicyDocument }
  > = {};
  readonly configurations: (ChatbotSlackChannelConfiguration | ChatbotTeamsChannelConfiguration)[] =
    [];

  constructor(scope: Construct, id: string, p: ChatChannelsProps) {
    super(scope, id);
    for (const { channel: ch, topicArns } of p.channels) {
      const key = `${ch.type}-${stableId(ch.name)}`;
      const trust = chatbotTrustPolicy();
      const permissions = policy({
        Sid: "ReadCloudWatchForNotifications",
        Effect: "Allow",
        Action: [...CHATBOT_CHANNEL_ACTIONS],
        Resource: "*",
      });
      this.roles[ch.name] = { trust, permissions };
      const role = new IamRole(this, `${key}-role`, {
        name: `${p.resourcePrefix}chat-${ch.name}`,
        description: `AWS Chatbot ${ch.type} channel ${ch.name}: reads CloudWatch to render trailwatch alerts`,
        assumeRolePolicy: renderPolicy(trust),
      });
      new IamRolePolicy(this, `${key}-role-policy`, {
        name: "read-cloudwatch",
        role: role.id,
        policy: renderPolicy(permissions),
      });
      const common = {
        provider: p.chatbotProvider,
        configurationName: `${p.resourcePrefix}${ch.type}-${ch.name}`,
        iamRoleArn: role.arn,
        guardrailPolicyArns: [CHATBOT_GUARDRAIL_POLICY],
        snsTopicArns: [...topicArns],
        loggingLevel: "ERROR",
        userAuthorizationRequired: true,
      };
      this.configurations.push(
        ch.type === "slack"
          ? new ChatbotSlackChannelConfiguration(this, key, {
              ...common,
              slackTeamId: ch.workspaceId,
              slackChannelId: ch.channelId,
            })
          : new ChatbotTeamsChannelConfiguration(this, key, {
              ...common,
              tenantId: ch.tenantId,
              teamId: ch.teamId,
              channelId: encodeTeamsChannelId(ch.channelId),
            }),
      );
    }
  }
}

/** AWS Chatbot may assume the channel role (see ChatChannels on why no source condition). */
export function chatbotTrustPolicy(): PolicyDocument {
  return policy({
    Sid: "AwsChatbot",
    Effect: "Allow",
    Principal: { Service: "chatbot.amazonaws.com" },
    Action: "sts:AssumeRole",
  });
}
