/**
 * What EventBridge sends a target with an input transformer, for an event (EventBridge User Guide,
 * "Amazon EventBridge input transformation"; InputTransformer API reference): each `<name>` of the
 * template is replaced by the value at `inputPaths[name]` (a JSONPath in dot notation). In a JSON
 * template, a placeholder standing as a JSON value becomes the value as JSON (a string quoted and
 * escaped); one inside a JSON string becomes the raw text, not escaped; an absent path gives `null`
 * as a value and nothing inside a string. A template that is one JSON string is all string.
 *
 * Only the shapes trailwatch's templates use are supported; anything else throws, so a template
 * this emulation cannot read fails the test instead of passing it by accident.
 */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** The value at a `$.a.b.c` path (no wildcards or brackets), or undefined. */
export function valueAt(event: unknown, jsonPath: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(jsonPath))
    throw new Error(`unsupported input path ${jsonPath}`);
  return jsonPath
    .slice(2)
    .split(".")
    .reduce<unknown>(
      (o, k) =>
        o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined,
      event,
    );
}

/** The text EventBridge sends the target (parse it as JSON when the template is JSON). */
export function applyInputTransformer(t: InputTransformer, event: unknown): string {
  const lookup = (name: string) => {
    if (!(name in t.inputPaths)) throw new Error(`placeholder <${name}> has no input path`);
    return valueAt(event, t.inputPaths[name]);
  };
  // A template that is not JSON (a bare string template) is all "inside a string".
  const json = /^\s*[{[]/.test(t.inputTemplate);
  let out = "";
  let inString = !json;
  for (let i = 0; i < t.inputTemplate.length; i++) {
    const ch = t.inputTemplate[i];
    const placeholder = /^<([A-Za-z0-9_.-]+)>/.exec(t.inputTemplate.slice(i));
    if (placeholder) {
      const v = lookup(placeholder[1]);
      if (inString)
        out += v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
      else out += JSON.stringify(v ?? null);
      i += placeholder[0].length - 1;
      continue;
    }
    if (json && ch === "\\" && inString) {
      out += ch + t.inputTemplate[++i];
      continue;
    }
    if (json && ch === '"') inString = !inString;
    out += ch;
  }
  return out;
}
