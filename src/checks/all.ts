/** Every check of the settings against themselves and against the workload, in one place. */
import type { StalwartConfig } from "../settings/validate.js";
import type { Result } from "../results.js";
import type { Workload } from "../render/workload.js";
import { checkListenerPorts, checkListeners } from "./listeners.js";
import { checkProbes } from "./probes.js";
import { checkStorage } from "./storage.js";
import { checkCluster } from "./cluster.js";
import { checkTls } from "./tls.js";
import { checkFdbClientCertificate } from "./fdb-client-cert.js";
import { checkNetworkPolicy } from "./network-policy.js";
import { checkOperations, checkServiceOptions } from "./operations.js";

export function checkAll(settings: StalwartConfig, workload: Workload): Result[] {
  return [
    ...checkListeners(settings),
    ...checkListenerPorts(settings, workload),
    ...checkProbes(settings, workload),
    ...checkStorage(settings, workload),
    ...checkCluster(settings, workload),
    ...checkTls(settings, workload),
    ...checkFdbClientCertificate(settings),
    ...checkNetworkPolicy(settings),
    ...checkOperations(settings, workload),
    ...checkServiceOptions(settings),
  ];
}
