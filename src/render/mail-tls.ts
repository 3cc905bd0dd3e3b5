/** The mail TLS certificate: a cert-manager Certificate, and the ACME Issuer with an acme-dns solver when asked for. */
import type { KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { generatedMetadata } from "./generated.js";
import type { Workload } from "./workload.js";

export const ACME_ISSUER_NAME = "stalwart-acme";
const CERT_MANAGER = "cert-manager.io/v1";

function acmeIssuer(settings: StalwartConfig, workload: Workload): KubeObject | undefined {
  const acme = settings.spec.tls?.acme;
  if (!acme) return undefined;
  return {
    apiVersion: CERT_MANAGER,
    kind: "Issuer",
    metadata: generatedMetadata(ACME_ISSUER_NAME, workload),
    spec: {
      acme: {
        server: acme.server,
        ...(acme.email ? { email: acme.email } : {}),
        privateKeySecretRef: { name: acme.accountKeySecretName },
        solvers: [{ dns01: { acmeDNS: { host: acme.acmeDns.host, accountSecretRef: { ...acme.acmeDns.accountSecretRef } } } }],
      },
    },
  };
}

function issuerRef(settings: StalwartConfig): Record<string, string> {
  const ref = settings.spec.tls?.issuerRef;
  if (ref) return { name: ref.name, kind: ref.kind, group: ref.group };
  return { name: ACME_ISSUER_NAME, kind: "Issuer", group: "cert-manager.io" };
}

/** The Certificate (named after the Secret it writes, which the workload mounts) and its issuer if generated. */
export function renderMailTls(settings: StalwartConfig, workload: Workload, secretName: string): KubeObject[] {
  const tls = settings.spec.tls;
  if (!tls) return [];
  const size = tls.privateKey.size ?? (tls.privateKey.algorithm === "RSA" ? 2048 : 256);
  const certificate: KubeObject = {
    apiVersion: CERT_MANAGER,
    kind: "Certificate",
    metadata: generatedMetadata(secretName, workload),
    spec: {
      secretName,
      dnsNames: [...(tls.dnsNames ?? [settings.spec.hostname])],
      issuerRef: issuerRef(settings),
      privateKey: { algorithm: tls.privateKey.algorithm, size, rotationPolicy: "Always" },
      usages: ["server auth", "digital signature", "key encipherment"],
      ...(tls.duration ? { duration: tls.duration } : {}),
      ...(tls.renewBefore ? { renewBefore: tls.renewBefore } : {}),
    },
  };
  const issuer = acmeIssuer(settings, workload);
  return issuer ? [issuer, certificate] : [certificate];
}
