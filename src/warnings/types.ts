/**
 * Something a configuration does that is allowed but probably not meant: printed by
 * `npm run synth` and `npm run bootstrap`, which still render (exit 0). Errors are ConfigError.
 */
export interface ConfigWarning {
  /** Dotted path of the configuration field responsible, e.g. `alerts.emails[0]`. */
  readonly field: string;
  /** One sentence: what the value means and what to do. */
  readonly message: string;
}

/** `warning: <field>: <message>`, one line per warning. */
export function formatWarning(w: ConfigWarning): string {
  return `warning: ${w.field}: ${w.message}`;
}
