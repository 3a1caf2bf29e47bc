import type { PlanJson } from "../plan/summary";

/** A module of `planned_values` in Terraform's JSON plan representation. */
export interface PlannedModule {
  readonly resources?: readonly {
    readonly address: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    /** Attribute values known at plan time; unknown ones are absent. */
    readonly values?: Record<string, unknown>;
  }[];
  readonly child_modules?: readonly PlannedModule[];
}

/** `terraform show -json <planfile>` (Terraform's "JSON Output Format", format_version 1.x). */
export interface PlannedJson extends PlanJson {
  readonly planned_values?: { readonly root_module?: PlannedModule };
  readonly output_changes?: Record<
    string,
    { readonly actions: string[]; readonly after?: unknown }
  >;
}

/** A resource as the plan would create or leave it: its known attribute values after apply. */
export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** Attribute values known at plan time (unknown ones are absent). */
  readonly values: Record<string, unknown>;
}

/**
 * Every managed resource in the plan's `planned_values` (root and child modules), optionally of
 * one Terraform type, in plan order. This is what Terraform itself made of the rendered JSON: a
 * string the template parser rewrote (`$${...}` → `${...}`) appears here as Terraform will send it.
 */
export function plannedResources(plan: PlannedJson, type?: string): PlannedResource[] {
  const out: PlannedResource[] = [];
  const walk = (m: PlannedModule | undefined) => {
    if (!m) return;
    for (const r of m.resources ?? [])
      if (r.mode === "managed" && (!type || r.type === type))
        out.push({ address: r.address, type: r.type, name: r.name, values: r.values ?? {} });
    for (const c of m.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values?.root_module);
  return out;
}
