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

/**
 * The secret volumes whose Secrets the generated objects write, when the settings ask for them, each with the
 * instance's name of its Secret: the mounted name with the instance's affixes. The workload is wired to these.
 */
export function instanceSecrets(settings: StalwartConfig, instance: Instance): Map<string, string> {
  const volumes = [...(settings.spec.tls ? [TLS_VOLUME] : []), ...(settings.spec.fdbClientCert ? [FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME] : [])];
  return new Map(
    volumes.flatMap((volume) => {
      const secret = mountedSecret(instance.workload, volume);
      return secret ? [[volume, instance.rename(secret.secretName)] as const] : [];
    }),
  );
}

export function renderGeneratedObjects(settings: StalwartConfig, instance: Instance, mailServices: readonly KubeObject[]): { objects: KubeObject[]; results: Result[] } {
  const { workload } = instance;
  const tlsSecret = instanceSecrets(settings, instance).get(TLS_VOLUME);
  return applyResourcePatches(
    [
      ...(tlsSecret ? renderMailTls(settings, instance, tlsSecret) : []),
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
