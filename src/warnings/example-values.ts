import type { TrailwatchConfig } from "../config/schema";
import type { ConfigWarning } from "./types";

/**
 * Placeholder account ids of AWS's documentation (IAM User Guide, CloudTrail and Organizations
 * examples use 111122223333, 123456789012, 444455556666 and 777788889999). The committed
 * trailwatch.config.json uses 111122223333.
 */
export const EXAMPLE_ACCOUNT_IDS: readonly string[] = [
  "111122223333",
  "123456789012",
  "444455556666",
  "777788889999",
];

/** Second-level domains reserved for documentation (RFC 2606 section 3). */
export const EXAMPLE_DOMAINS: readonly string[] = ["example.com", "example.net", "example.org"];

/** Top-level domains reserved for testing and examples (RFC 2606 section 2, RFC 6761). */
export const RESERVED_TLDS: readonly string[] = ["example", "test", "invalid", "localhost"];

/** True when mail to `domain` can never be delivered to anyone: a reserved example domain. */
export function isExampleDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, "");
  return (
    EXAMPLE_DOMAINS.some((e) => d === e || d.endsWith(`.${e}`)) ||
    RESERVED_TLDS.some((t) => d === t || d.endsWith(`.${t}`))
  );
}

/**
 * Values a newcomer has not replaced yet: AWS's example account ids and e-mail addresses at
 * reserved example domains. Synth still renders (the example is meant to render as shipped), but
 * a plan would fail against any real account, and alerts to such addresses reach nobody.
 */
export function exampleValueWarnings(c: TrailwatchConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (EXAMPLE_ACCOUNT_IDS.includes(c.accountId))
    warnings.push({
      field: "accountId",
      message: `${c.accountId} is an example account of AWS's documentation; set the account to monitor`,
    });
  c.alerts.emails.forEach((address, i) => {
    const domain = address.slice(address.lastIndexOf("@") + 1);
    if (isExampleDomain(domain))
      warnings.push({
        field: `alerts.emails[${i}]`,
        message: `${address} is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody`,
      });
  });
  c.alerts.channels.forEach((ch, i) => {
    if (ch.type === "email") {
      const domain = ch.address.slice(ch.address.lastIndexOf("@") + 1);
      if (isExampleDomain(domain))
        warnings.push({
          field: `alerts.channels[${i}].address`,
          message: `${ch.address} is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody`,
        });
    } else if (ch.type === "webhook" && isExampleDomain(new URL(ch.url).hostname)) {
      warnings.push({
        field: `alerts.channels[${i}].url`,
        // The URL usually carries the endpoint's secret: name the host only.
        message: `the webhook's host ${new URL(ch.url).hostname} is reserved for examples (RFC 2606): SNS cannot deliver to it`,
      });
    }
  });
  return warnings;
}
