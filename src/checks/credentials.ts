/** Features that read credentials from variables their component sets from a Secret. */
import { refTo, type Result } from "../results.js";
import { envVar, type Workload } from "../render/workload.js";

/** A feature that needs variables from its component: missing ones are an error, stray ones a warning. */
export function checkCredentials(
  workload: Workload,
  enabled: boolean,
  names: readonly string[],
  component: "nats-auth" | "fallback-admin" | "service-monitor",
  field: string,
): Result[] {
  const present = names.filter((name) => envVar(workload.container, name));
  if (enabled && present.length < names.length) {
    return [{ severity: "error", message: `needs the variables ${names.join(" and ")} from a Secret: add the component overlays/components/${component}`, field: { path: field, currentValue: true } }];
  }
  if (!enabled && present.length > 0) {
    return [{
      severity: "warning",
      code: `${component}-component-unused`,
      message: `the workload sets ${present.join(" and ")} but \`${field}\` is off, so nothing reads them; remove the component "${component}" or turn \`${field}\` on`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.template.spec.containers[name=stalwart].env" },
    }];
  }
  return [];
}
