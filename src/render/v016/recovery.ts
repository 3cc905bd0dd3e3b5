/**
 * Stalwart 0.16's recovery mode, as the workload asks for it (the component overlays/components/recovery-mode):
 * the one way 0.16 opens data of 0.15 (crates/migration/src/lib.rs at v0.16.18, lines 40-47), and the mode the
 * export of a 0.15 server is applied in (docs/upgrading-0.16.md). The server serves only plain HTTP on 8080,
 * starts no task, queue or tracer, and its first start migrates the data, which no second pod may do at once.
 */
import { refTo, type Result } from "../../results.js";
import { envVar, type Container, type Workload } from "../workload.js";

export const RECOVERY_MODE_ENV = "STALWART_RECOVERY_MODE";
/** `user:password` of an administrator outside the directory, honoured in every mode (v0.16.18 local.rs, lines 42-48). */
export const RECOVERY_ADMIN_ENV = "STALWART_RECOVERY_ADMIN";
/** What the recovery-mode component composes RECOVERY_ADMIN_ENV from: Secret stalwart-recovery-admin's two keys. */
export const RECOVERY_ADMIN_USERNAME_ENV = "RECOVERY_ADMIN_USERNAME";
export const RECOVERY_ADMIN_PASSWORD_ENV = "RECOVERY_ADMIN_PASSWORD";

/** Whether the container starts Stalwart in recovery mode: "1" or "true" in any case (crates/store/src/registry/local.rs at v0.16.18, lines 38-41). */
export function isRecoveryMode(container: Container): boolean {
  const value = envVar(container, RECOVERY_MODE_ENV)?.value;
  return typeof value === "string" && (value === "1" || value.toLowerCase() === "true");
}

/** Recovery mode on more than one pod would run the data migration in each of them at once. */
export function checkRecoveryMode(workload: Workload): Result[] {
  if (!isRecoveryMode(workload.container) || workload.replicas <= 1) return [];
  return [
    {
      severity: "error",
      message: `${RECOVERY_MODE_ENV} is set on a workload of ${workload.replicas} replicas: recovery mode runs on one pod, whose first start migrates the data; set \`spec.replicas\` to 1 (the component recovery-mode does)`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.replicas", currentValue: workload.replicas, proposedValue: 1 },
    },
  ];
}
