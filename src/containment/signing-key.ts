/**
 * The HMAC key lives in one Secrets Manager secret that Terraform creates empty (no value, so the
 * key never appears in a plan or in Terraform state). The first signer that needs it generates 32
 * random bytes (`crypto.randomBytes`) and stores them as the secret's first version with a fixed
 * `ClientRequestToken`: Secrets Manager's idempotency makes concurrent first uses converge on one
 * value (a second writer with another value gets `ResourceExistsException` and reads the
 * winner's). Verifiers never create a key: without one, no link can have been issued.
 *
 * Verification accepts the AWSCURRENT and AWSPREVIOUS versions, so rotating the key by hand
 * (`aws secretsmanager put-secret-value --secret-id <id> --secret-string $(openssl rand -hex 32)`)
 * does not invalidate links already in people's mailboxes. Keys are cached per Lambda container
 * for five minutes.
 *
 * Sources: Secrets Manager API reference (PutSecretValue `ClientRequestToken` idempotency,
 * GetSecretValue `VersionStage`, staging labels AWSCURRENT/AWSPREVIOUS).
 */
import { randomBytes } from "node:crypto";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { MIN_KEY_BYTES } from "./link";

/** Token of the first version; 32-64 characters as PutSecretValue requires. */
export const INITIAL_VERSION_TOKEN = "trailwatch-containment-initial-signing-key";

/** How long fetched keys are reused, in milliseconds. */
export const KEY_CACHE_MS = 5 * 60 * 1000;

const HEX_KEY = /^[0-9a-f]{64,256}$/;

function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

function parseKey(secretString: string | undefined): Buffer {
  if (secretString === undefined || !HEX_KEY.test(secretString))
    throw new Error(
      `the signing key secret does not hold at least ${MIN_KEY_BYTES} bytes as lowercase hex`,
    );
  return Buffer.from(secretString, "hex");
}

export class SigningKeys {
  private cached?: { at: number; keys: Buffer[] };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async stage(stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<Buffer | undefined> {
    try {
      const v = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
      );
      return parseKey(v.SecretString);
    } catch (e) {
      // The secret exists but has no version with that label yet.
      if (errorName(e) === "ResourceNotFoundException") return undefined;
      throw e;
    }
  }

  /** AWSCURRENT then AWSPREVIOUS, whichever exist; empty before the first link was ever signed. */
  async verificationKeys(): Promise<Buffer[]> {
    if (this.cached && this.now() - this.cached.at < KEY_CACHE_MS) return this.cached.keys;
    const current = await this.stage("AWSCURRENT");
    const keys = current ? [current] : [];
    if (current) {
      const previous = await this.stage("AWSPREVIOUS");
      if (previous) keys.push(previous);
    }
    if (keys.length > 0) this.cached = { at: this.now(), keys };
    return keys;
  }

  /** The AWSCURRENT key, generated and stored on first use. */
  async signingKey(): Promise<Buffer> {
    const [current] = await this.verificationKeys();
    if (current) return current;
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: this.secretId,
          ClientRequestToken: INITIAL_VERSION_TOKEN,
          SecretString: randomBytes(32).toString("hex"),
        }),
      );
    } catch (e) {
      // Another signer stored the first version at the same moment: use theirs.
      if (errorName(e) !== "ResourceExistsException") throw e;
    }
    const [created] = await this.verificationKeys();
    if (!created) throw new Error("the signing key was stored but cannot be read back");
    return created;
  }
}
