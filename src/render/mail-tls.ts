/** The mail TLS certificate: a cert-manager Certificate, and the ACME Issuer with an acme-dns solver when asked for. */
import type { KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { generatedMetadata, type Instance } from "./generated.js";

const CERT_MANAGER = "cert-manager.io/v1";

/** `stalwart-acme` for an unprefixed instance. */
export const acmeIssuerName = (instance: Instance) => instance.rename(`${instance.base}-acme`);

function acmeIssuer(settings: StalwartConfig, instance: Instance): KubeObject | undefined {
  const acme = settings.spec.tls?.acme;
  if (!acme) return undefined;
  return {
    apiVersion: CERT_MANAGER,
    kind: "Issuer",
    metadata: generatedMetadata(acmeIssuerName(instance), instance),
    spec: {
      acme: {
        server: acme.server,
        ...(acme.email ? { email: acme.email } : {}),
        // Written by cert-manager for this instance's account; the acme-dns credentials are the user's own.
        privateKeySecretRef: { name: instance.rename(acme.accountKeySecretName) },
        solvers: [{ dns01: { acmeDNS: { host: acme.acmeDns.host, accountSecretRef: { ...acme.acmeDns.accountSecretRef } } } }],
      },
    },
  };
}

function issuerRef(settings: StalwartConfig, instance: Instance): Record<string, string> {
  const ref = settings.spec.tls?.issuerRef;
  if (ref) return { name: ref.name, kind: ref.kind, group: ref.group };
  return { name: acmeIssuerName(instance), kind: "Issuer", group: "cert-manager.io" };
}

/** The Certificate (named after the Secret it writes, which the workload mounts) and its issuer if generated. */
export function renderMailTls(settings: StalwartConfig, instance: Instance, secretName: string): KubeObject[] {
  const tls = settings.spec.tls;
  if (!tls) return [];
  const size = tls.privateKey.size ?? (tls.privateKey.algorithm === "RSA" ? 2048 : 256);
  const certificate: KubeObject = {
    apiVersion: CERT_MANAGER,
    kind: "Certificate",
    metadata: generatedMetadata(secretName, instance),
    spec: {
      secretName,
      dnsNames: [...(tls.dnsNames ?? [settings.spec.hostname])],
      issuerRef: issuerRef(settings, instance),
      privateKey: { algorithm: tls.privateKey.algorithm, size, rotationPolicy: "Always" },
      usages: ["server auth", "digital signature", "key encipherment"],
      ...(tls.duration ? { duration: tls.duration } : {}),
      ...(tls.renewBefore ? { renewBefore: tls.renewBefore } : {}),
    },
  };
  const issuer = acmeIssuer(settings, instance);
  return issuer ? [issuer, certificate] : [certificate];
}
