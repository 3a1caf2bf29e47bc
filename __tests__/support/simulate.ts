/**
 * Asks @cloud-copilot/iam-simulate one authorization question and returns its decision, refusing
 * any question the simulator would answer without reading all of it (so a typo in an action, a
 * resource of the wrong type or a context key the action does not carry fails the test instead
 * of silently turning it into a weaker question).
 */
import {
  allowedContextKeysForRequest,
  anonymousPrincipal,
  runSimulation,
  runUnsafeSimulation,
  type EvaluationResult,
  type Simulation,
} from "@cloud-copilot/iam-simulate";

export type Decision = EvaluationResult;

/** An unsigned request (no credentials): only the resource policy can grant it anything. */
export const ANONYMOUS = "anonymous";

/** The simulator's three decisions, as every policy test names them. */
export const ALLOWED: Decision = "Allowed";
export const IMPLICIT: Decision = "ImplicitlyDenied";
export const EXPLICIT: Decision = "ExplicitlyDenied";

export interface Question {
  /** An IAM ARN, a service principal (`cloudtrail.amazonaws.com`) or {@link ANONYMOUS}. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource: S3 ARNs carry none, and it decides same/cross-account. */
  readonly resourceAccount: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Bucket, key, topic or trust policy; omitted for a resource without one. */
  readonly resourcePolicy?: unknown;
  /** The caller's own IAM policies (none for service principals and anonymous callers). */
  readonly identityPolicies?: readonly unknown[];
  /**
   * Policies that bound the identity policies (IAM permissions boundaries; an AWS Chatbot channel
   * guardrail acts the same way: what is allowed is what both allow). @default none
   */
  readonly permissionBoundaries?: readonly unknown[];
}

/**
 * KMS documents its encryption-context key as `kms:EncryptionContext:${EncryptionContextKey}`.
 * iam-simulate 0.1.173 only expands variable keys of the `prefix/${Name}` form (like
 * `aws:PrincipalTag/${TagKey}`), so it drops e.g. `kms:EncryptionContext:aws:cloudtrail:arn`
 * from the request as "not applicable": every condition on it would then fail to match, and an
 * Allow that needs it would look like a (false) denial. Such questions are re-run through
 * `runUnsafeSimulation`, which evaluates the context as given, after the validated run has
 * checked everything else and after checking here that the action does take that key.
 */
const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:.+$/i;
const ENCRYPTION_CONTEXT_VARIABLE = "kms:encryptioncontext:${encryptioncontextkey}";

export async function decide(q: Question): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: q.principal === ANONYMOUS ? anonymousPrincipal : q.principal,
      action: q.action,
      resource: { resource: q.resource, accountId: q.resourceAccount },
      contextVariables: Object.fromEntries(
        Object.entries(q.context ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]),
      ),
    },
    identityPolicies: (q.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy,
    })),
    permissionBoundaryPolicies: q.permissionBoundaries?.map((policy, i) => ({
      name: `boundary-${i}`,
      policy,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: q.resourcePolicy,
  };
  const checked = await runSimulation(simulation, {});
  const what = `${String(q.principal)} ${q.action} ${q.resource}`;
  if (checked.resultType === "error") {
    throw new Error(`simulator rejected "${what}": ${JSON.stringify(checked.errors)}`);
  }
  if (checked.resultType !== "single") {
    throw new Error(`"${what}": ask about one concrete resource, not a pattern`);
  }
  const ignored = checked.result.ignoredContextKeys ?? [];
  const notApplicable = ignored.filter((k) => !ENCRYPTION_CONTEXT_KEY.test(k));
  if (notApplicable.length > 0) {
    throw new Error(`"${what}": context keys the action does not carry: ${notApplicable}`);
  }
  if (ignored.length === 0) return checked.overallResult;

  const [service, action] = q.action.split(":");
  const allowed = await allowedContextKeysForRequest(service, action, q.resource, false, undefined);
  if (!allowed.includes(ENCRYPTION_CONTEXT_VARIABLE)) {
    throw new Error(`"${what}": ${q.action} takes no kms:EncryptionContext:* keys (${ignored})`);
  }
  return runUnsafeSimulation(
    {
      ...simulation,
      // The unsafe runner loads the resource policy without a name and then reads that name:
      // hand it the library's already-validated form (a plain object by design), as the
      // validated run above has just checked this very document.
      resourcePolicy:
        q.resourcePolicy === undefined
          ? undefined
          : {
              __validated: true,
              policyDocument: q.resourcePolicy,
              metadata: { name: "resource-policy" },
              errors: [],
            },
    },
    {},
  );
}
