/**
 * Everything the function generates besides config.toml, each family from its own renderer, with the user's
 * `spec.resourcePatches` applied. Names of Secrets and where they are mounted come from the workload.
 */
import type { KubeObject } from "../kube.js";
import type { Result } from "../results.js";
import type { StalwartConfig } from "../settings/validate.js";
import { renderFdbClientCerts } from "./fdb-client-certs.js";
import { renderMailTls } from "./mail-tls.js";
import { renderNetworkPolicy } from "./network-policy.js";
import { applyResourcePatches } from "./resource-patches.js";
import { renderAdminService } from "./service.js";
import { FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME, mountedSecret, TLS_VOLUME, type Workload } from "./workload.js";

export function renderGeneratedObjects(settings: StalwartConfig, workload: Workload, mailServices: readonly KubeObject[]): { objects: KubeObject[]; results: Result[] } {
  const tlsSecret = mountedSecret(workload, TLS_VOLUME);
  return applyResourcePatches(
    [
      ...(tlsSecret ? renderMailTls(settings, workload, tlsSecret.secretName) : []),
      ...mailServices.flatMap((service) => renderAdminService(service, settings, workload)),
      ...renderNetworkPolicy(settings, workload),
      ...renderFdbClientCerts(settings, workload, {
        clientCertificate: mountedSecret(workload, FDB_CLIENT_CERT_VOLUME)?.secretName ?? "stalwart-fdb-client-cert",
        rootCa: mountedSecret(workload, FDB_ROOT_CA_VOLUME)?.secretName ?? "stalwart-fdb-root-ca",
      }),
    ],
    settings.spec,
  );
}
