import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import type { TrailwatchConfig } from "../config/schema";
import type { Names } from "../names";
import { createAlertRouting, type AlertRouting } from "../constructs/alert-routing";
import type { AlertTopic } from "../constructs/alert-topic";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { defaultChatbotRegion, isChat } from "../config/channels";
import { createTrail, type CreatedTrail } from "../trail-source/created";
import { useExistingTrail } from "../trail-source/existing";
import type { TrailSource } from "../trail-source/types";
import { BaseStack } from "./base-stack";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { watchedResources } from "../detections/watched";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { DetectionAlarms } from "../constructs/detection-alarms";
import { DetectionRules } from "../constructs/detection-rules";
import type { Detection } from "../detections/types";
import { alarmTuningById } from "../detections/custom";
import { alarmDetections, ruleDetectionsFor } from "../detections/select";
import { AthenaInvestigation } from "../constructs/athena-investigation";
import { athenaNames } from "../athena/names";
import { AWS_REGIONS } from "../config/regions";
import { AlarmEnrichment, enrichmentFunctionName } from "../constructs/alarm-enrichment";
import { SEVERITIES, type Severity } from "../detections/types";
import { Containment } from "../constructs/containment";
import { routeForSeverity } from "../channels/routes";

export interface HomeStackProps {
  readonly config: TrailwatchConfig;
  readonly names: Names;
  /** Enabled detections (watched-resource names resolved against this stack's key). */
  readonly detections: (
    key: { readonly arn: string; readonly id: string } | undefined,
  ) => readonly Detection[];
}

/**
 * The home region: the trail's key, log archive, multi-region trail and log group (unless the
 * trail is an existing one), the alert topic, alarms, rules and Athena.
 */
export class HomeStack extends BaseStack {
  /** The trail's key, archive, log group and trail; absent with trail.mode "existing". */
  readonly created?: CreatedTrail;
  readonly source: TrailSource;
  /** The default route's topic (`<name>-alerts`). */
  readonly alerts: AlertTopic;
  /** Every route's topic, chat topic, queue and chat channel. */
  readonly routing: AlertRouting;
  /** The AWS provider in the AWS Chatbot region (present with Slack or Teams channels). */
  readonly chatbotProvider?: AwsProvider;
  readonly alarms: DetectionAlarms;
  readonly rules: DetectionRules;
  /** Present when `remediation.enabled`. */
  readonly containment?: Containment;
  /** Present when `athena.enabled`. */
  readonly athena?: AthenaInvestigation;
  /** Present when `alerts.enrichment.enabled` and some detection is delivered as an alarm. */
  readonly enrichment?: AlarmEnrichment;

  constructor(scope: Construct, props: HomeStackProps) {
    const { config: c, names: n } = props;
    super(scope, { config: c, names: n, region: c.homeRegion });
    // The trail, its key, archive and log group: created (create, organization) or someone else's.
    const source =
      n.mode === "existing" ? useExistingTrail(this, n) : (this.created = createTrail(this, c, n));
    this.source = source;
    const kmsKeyArn = source.kmsKeyArn;
    if (c.blockAccountPublicAccess) {
      // Account-wide guard: no bucket in the account can be made public (Security Hub S3.1).
      new S3AccountPublicAccessBlock(this, "account-public-access-block", {
        accountId: c.accountId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
    if (c.alerts.channels.some(isChat)) {
      // AWS Chatbot's API is served in four regions only (src/config/channels.ts).
      this.chatbotProvider = new AwsProvider(this, "aws-chatbot", {
        alias: "chatbot",
        region: c.alerts.chatbotRegion ?? defaultChatbotRegion(c.homeRegion),
        allowedAccountIds: [c.accountId],
        defaultTags: [{ tags: { ...c.tags, "trailwatch:stack": n.stackName(c.homeRegion) } }],
      });
    }
    this.routing = createAlertRouting(this, {
      names: n,
      alerts: c.alerts,
      kmsKeyArn,
      chatbotProvider: this.chatbotProvider,
    });
    this.alerts = this.routing.topics[n.alertRoutes[0].name];
    const detections = props.detections(source.watchedKey);
    const enrichment = c.alerts.enrichment;
    const alarmed = alarmDetections(detections);
    const enriched = enrichment.enabled && alarmed.length > 0;
    const rawAlarms = !(enriched && enrichment.alarmNotifications === "replace");
    this.alarms = new DetectionAlarms(this, "alarms", {
      detections: alarmed,
      logGroupName: source.logGroupName,
      // Chat shows one card per alarm: the enriched one when the function runs, else CloudWatch's.
      alarmTopics: (d) => {
        const t = this.routing.targets(d.severity);
        return [
          ...(rawAlarms ? [t.topicArn] : []),
          ...(t.chatTopicArn && !enriched ? [t.chatTopicArn] : []),
        ];
      },
      resourcePrefix: n.resourcePrefix,
      namespace: n.metricNamespace,
      tuning: alarmTuningById(c),
      organizationTrail: n.organizationId !== undefined,
    });
    if (c.remediation.enabled) {
      const contained = detections.filter((d) => d.id in c.remediation.actions);
      this.containment = new Containment(this, "containment", {
        names: n,
        remediation: c.remediation,
        detections: contained,
        alertTopicArn: this.alerts.topic.arn,
        // With routes, each detection's notices go to its severity's route (plain ARNs).
        routeTopicArns:
          n.alertRoutes.length > 1
            ? Object.fromEntries(
                SEVERITIES.map((s) => [s, routeForSeverity(n.alertRoutes, s).topicArn]),
              )
            : undefined,
        topicKeyArn: kmsKeyArn,
        logKmsKeyArn: kmsKeyArn,
        logRetentionDays: c.logGroup.retentionDays,
        protectedBuckets: [
          n.archiveBucket,
          ...(source.accessLogs ? [n.accessLogBucket] : []),
          ...(c.athena.enabled ? [athenaNames(c).resultsBucket] : []),
          c.state.bucket,
        ],
        // Alarm-delivered detections get their links from the enrichment function.
        otherSignerRoleArns: enriched
          ? [`arn:aws:iam::${n.account}:role/${enrichmentFunctionName(n.resourcePrefix)}`]
          : [],
      });
      new TerraformOutput(this, "containment_url", { value: this.containment.url });
    }
    const notified = this.containment && {
      functionArn: this.containment.notifier.function.arn,
      functionName: this.containment.notifier.function.functionName,
      deadLetterQueueArn: this.containment.deadLetterQueue.arn,
      detectionIds: Object.keys(c.remediation.actions),
    };
    if (enriched) {
      const routeOf = (s: Severity) => {
        const r = routeForSeverity(n.alertRoutes, s);
        return { topicArn: r.topicArn, ...(r.chat ? { chatTopicArn: r.chat.topicArn } : {}) };
      };
      // Plain ARNs (as names.ts builds them): the failure alarm renders as it always did.
      const d = n.alertRoutes[0];
      this.enrichment = new AlarmEnrichment(this, "alert-enrichment", {
        account: n.account,
        region: n.homeRegion,
        resourcePrefix: n.resourcePrefix,
        detections: alarmed,
        tuning: alarmTuningById(c),
        logGroupName: n.logGroupName,
        routes: Object.fromEntries(SEVERITIES.map((s) => [s, routeOf(s)])) as Record<
          Severity,
          ReturnType<typeof routeOf>
        >,
        failureTopicArns: [d.topicArn, ...(d.chat ? [d.chat.topicArn] : [])],
        kmsKeyArn,
        maxEvents: enrichment.maxEvents,
        reservedConcurrency: enrichment.reservedConcurrency ?? undefined,
        logRetentionDays: enrichment.logRetentionDays,
        containment: this.containment && {
          ...this.containment.signerPackage,
          statements: this.containment.signerStatements,
        },
      });
      new TerraformOutput(this, "alert_enrichment_function", {
        value: this.enrichment.fn.function.functionName,
      });
    }
    this.rules = new DetectionRules(this, "detections", {
      detections: ruleDetectionsFor(detections, c.homeRegion, c.homeRegion),
      resourcePrefix: n.resourcePrefix,
      target: { kind: "topic", topics: (d) => this.routing.targets(d.severity) },
      notifier: notified,
    });
    if (c.athena.enabled) {
      const a = c.athena;
      this.athena = new AthenaInvestigation(this, "athena", {
        names: athenaNames(c),
        account: n.account,
        archiveBucket: n.archiveBucket,
        archivePrefix: n.archivePrefix,
        organizationId: n.organizationId,
        // The trail is multi-region: any region may have log files, not only the watched ones.
        regions: AWS_REGIONS,
        projectionStartDate: a.projectionStartDate,
        timeZone: a.timeZone,
        bytesScannedCutoffPerQuery: a.bytesScannedCutoffPerQuery,
        resultsRetentionDays: a.resultsRetentionDays,
        kmsKeyArn,
        detections,
        watched: watchedResources(n, source.watchedKey),
      });
      const accessLogs = source.accessLogs;
      if (accessLogs) {
        // Query results are read by people: their access is logged like the archive's (S3.9).
        new S3BucketLoggingA(this, "athena-results-access-logging", {
          bucket: this.athena.results.bucket.id,
          targetBucket: accessLogs.bucket.id,
          targetPrefix: `${athenaNames(c).resultsBucket}/`,
          dependsOn: [accessLogs.policy],
        });
      }
      new TerraformOutput(this, "athena_workgroup", { value: this.athena.workgroup.name });
      new TerraformOutput(this, "athena_database", { value: this.athena.database.name });
    }
    for (const [name, value] of Object.entries(source.outputs))
      new TerraformOutput(this, name, { value });
    new TerraformOutput(this, "alert_topic_arn", { value: this.alerts.topic.arn });
    if (n.alertRoutes.length > 1)
      new TerraformOutput(this, "alert_topic_arns", {
        value: Object.fromEntries(
          Object.entries(this.routing.topics).map(([route, t]) => [route, t.topic.arn]),
        ),
      });
  }
}
