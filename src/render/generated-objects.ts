/**
 * Everything the function generates besides config.toml, each family from its own renderer, with the user's
 * `spec.resourcePatches` applied. Names of Secrets and where they are mounted come from the workload, with the
 * instance's affixes.
 */
import type { KubeObject } from "../kube.js";
import type { Result } from "../results.js";
import type { StalwartConfig } from "../settings/validate.js";
import { renderFdbClientCerts } from "./fdb-client-certs.js";
import type { Instance } from "./generated.js";
import { renderMailTls } from "./mail-tls.js";
import { renderNetworkPolicy } from "./network-policy.js";
import { applyResourcePatches } from "./resource-patches.js";
import { renderAdminService } from "./service.js";
import { FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME, mountedSecret, TLS_VOLUME } from "./workload.js";

/** The secret volumes whose Secrets the generated objects write, when the settings ask for them. */
export function secretVolumesWritten(settings: StalwartConfig): string[] {
  return [...(settings.spec.tls ? [TLS_VOLUME] : []), ...(settings.spec.fdbClientCert ? [FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME] : [])];
}

export function renderGeneratedObjects(settings: StalwartConfig, instance: Instance, mailServices: readonly KubeObject[]): { objects: KubeObject[]; results: Result[] } {
  const { workload } = instance;
  const tlsSecret = mountedSecret(workload, TLS_VOLUME);
  return applyResourcePatches(
    [
      ...(tlsSecret ? renderMailTls(settings, instance, instance.rename(tlsSecret.secretName)) : []),
      ...mailServices.flatMap((service) => renderAdminService(service, settings, instance)),
      ...renderNetworkPolicy(settings, instance),
      ...renderFdbClientCerts(settings, instance, {
        clientCertificate: mountedSecret(workload, FDB_CLIENT_CERT_VOLUME)?.secretName ?? `${instance.base}-fdb-client-cert`,
        rootCa: mountedSecret(workload, FDB_ROOT_CA_VOLUME)?.secretName ?? `${instance.base}-fdb-root-ca`,
      }),
    ],
    settings.spec,
    instance.rename,
  );
}
