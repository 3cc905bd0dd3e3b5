/**
 * TLS against itself and the workload: one issuer for the mail certificate and its Secret mounted; FoundationDB
 * client certificates only with the fdb-tls component, and that component only with FoundationDB.
 */
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { envVar, FDB_CLIENT_CERT_VOLUME, FDB_CLUSTER_FILE_ENV, FDB_ROOT_CA_VOLUME, mountedSecret, TLS_VOLUME, type Workload } from "../render/workload.js";

export const FDB_TLS_ENV = "FDB_TLS_CERTIFICATE_FILE";
export const TLS_RELOADER = "tls-reloader";


export function hasFdbTls(workload: Workload): boolean {
  return envVar(workload.container, FDB_TLS_ENV) !== undefined;
}

/**
 * fdb-tls without the fdb component is no choice to acknowledge: its Secret volumes are required, so the pods
 * would wait in ContainerCreating for certificates that nothing uses. With fdb there but RocksDB chosen, the
 * fdb component's own warning says the rest.
 */
function fdbTlsWithoutFoundationDb(workload: Workload, backend: string): Result {
  const ref = refTo(workload.object);
  const field = { path: "spec.template.spec.containers[name=stalwart].env" };
  if (!envVar(workload.container, FDB_CLUSTER_FILE_ENV)) {
    return {
      severity: "error",
      message: `the component "fdb-tls" needs the component "fdb": the workload sets ${FDB_TLS_ENV} but not ${FDB_CLUSTER_FILE_ENV}, and its pods would wait in ContainerCreating for the Secrets "stalwart-fdb-client-cert" and "stalwart-fdb-root-ca", which nothing uses; add the component overlays/components/fdb before fdb-tls, or remove fdb-tls`,
      resourceRef: ref,
      field,
    };
  }
  return {
    severity: "warning",
    code: "fdb-tls-component-unused",
    message: `the workload carries FoundationDB client TLS (${FDB_TLS_ENV}) but \`spec.storage.backend\` is "${backend}"; remove the component "fdb-tls", or set the backend to "foundationdb"`,
    resourceRef: ref,
    field,
  };
}

export function checkTls(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const { tls, fdbClientCert, storage } = settings.spec;
  const ref = refTo(workload.object);
  if (tls) {
    if (!tls.acme === !tls.issuerRef) {
      results.push({
        severity: "error",
        message: tls.acme
          ? "set `acme` (generate an ACME issuer with acme-dns) or `issuerRef` (use yours), not both"
          : "needs an issuer: set `spec.tls.acme` to generate an ACME issuer with acme-dns, or `spec.tls.issuerRef` to name an existing Issuer or ClusterIssuer",
        field: { path: "spec.tls" },
      });
    }
    if (!mountedSecret(workload, TLS_VOLUME)?.mountPath) {
      results.push({
        severity: "error",
        message: `the workload must mount the certificate's Secret as a volume named "${TLS_VOLUME}" in the "stalwart" container; the bases do`,
        resourceRef: ref,
        field: { path: "spec.template.spec.volumes" },
      });
    }
  } else if (workload.pod.containers.some((container) => container.name === TLS_RELOADER)) {
    results.push({
      severity: "warning",
      code: "tls-reload-component-unused",
      message: `the ${TLS_RELOADER} sidecar reloads a certificate, but \`spec.tls\` is not set; remove the component "tls-reload" or set \`spec.tls\``,
      resourceRef: ref,
      field: { path: "spec.template.spec.containers" },
    });
  }

  const fdbTls = hasFdbTls(workload);
  if (fdbClientCert) {
    if (!fdbTls) {
      results.push({
        severity: "error",
        message: "FoundationDB client certificates need the component overlays/components/fdb-tls, which mounts them and points the FoundationDB client at them",
        field: { path: "spec.fdbClientCert" },
      });
    } else {
      for (const volume of [FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME]) {
        if (!mountedSecret(workload, volume)) {
          results.push({ severity: "error", message: `the fdb-tls component's Secret volume "${volume}" is missing from the workload`, resourceRef: ref, field: { path: "spec.template.spec.volumes" } });
        }
      }
    }
    if (fdbClientCert.rootCA.caBundle && fdbClientCert.rootCA.caSecretRef) {
      results.push({ severity: "error", message: "give the Vault server's CA once: `caBundle` or `caSecretRef`, not both", field: { path: "spec.fdbClientCert.rootCA" } });
    }
  }
  if (fdbTls && storage.backend !== "foundationdb") results.push(fdbTlsWithoutFoundationDb(workload, storage.backend));
  return results;
}
