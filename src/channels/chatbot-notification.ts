/**
 * The AWS Chatbot (Amazon Q Developer in chat applications) custom-notification schema, as data:
 * Chatbot shows an SNS message in Slack or Teams only if it is a notification of an AWS service it
 * knows (CloudWatch alarms among them) or a custom notification of this shape; it drops anything
 * else. Source: AWS Chatbot Administrator Guide, "Custom notifications" (event schema and
 * parameter details): `version` must be "1.0", `source` must be "custom", `content.description` is
 * required, `textType` may only be "client-markdown"; every other field is optional.
 *
 * Used by the tests to check what trailwatch sends to chat topics (the EventBridge chat card and
 * the enriched alarm message); strict, so a misspelt field is an error here rather than a field
 * Chatbot silently ignores.
 */
import { z } from "zod";

const text = z.string();

export const chatbotNotificationSchema = z.strictObject({
  version: z.literal("1.0"),
  source: z.literal("custom"),
  id: text.optional(),
  content: z.strictObject({
    textType: z.literal("client-markdown").optional(),
    title: text.optional(),
    description: text.min(1),
    nextSteps: z.array(text).optional(),
    keywords: z.array(text).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: text.optional(),
      summary: text.optional(),
      eventType: text.optional(),
      relatedResources: z.array(text).optional(),
      additionalContext: z.record(z.string(), text).optional(),
    })
    .optional(),
});

export type ChatbotNotificationShape = z.infer<typeof chatbotNotificationSchema>;
