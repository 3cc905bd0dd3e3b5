/**
 * FoundationDB client certificates from Vault or OpenBao: a cert-manager Vault Issuer and the client
 * Certificate, the ServiceAccounts both sides log in as, the RBAC that lets cert-manager request tokens for the
 * issuer's ServiceAccount, and an External Secrets VaultDynamicSecret + ExternalSecret for the root CA.
 */
import type { KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { generatedMetadata } from "./generated.js";
import type { Workload } from "./workload.js";

export const FDB_CLIENT_CERTIFICATE_NAME = "stalwart-fdb-client";

export interface FdbSecretNames {
  /** The Secret the workload mounts as its client certificate. */
  clientCertificate: string;
  /** The Secret the workload mounts as the root CA. */
  rootCa: string;
}

function serviceAccount(name: string, workload: Workload): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: generatedMetadata(name, workload), automountServiceAccountToken: false };
}

export function renderFdbClientCerts(settings: StalwartConfig, workload: Workload, secrets: FdbSecretNames): KubeObject[] {
  const config = settings.spec.fdbClientCert;
  if (!config) return [];
  const { issuer, certManager, certificate, rootCA } = config;
  const tokenCreator = `${issuer.serviceAccountName}-token-creator`;
  const generatorName = `${secrets.rootCa}-generator`;
  return [
    serviceAccount(issuer.serviceAccountName, workload),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: generatedMetadata(tokenCreator, workload),
      rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [issuer.serviceAccountName], verbs: ["create"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: generatedMetadata(tokenCreator, workload),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: tokenCreator },
      subjects: [{ kind: "ServiceAccount", name: certManager.serviceAccountName, namespace: certManager.namespace }],
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: generatedMetadata(issuer.name, workload),
      spec: {
        vault: {
          server: issuer.server,
          path: issuer.path,
          ...(issuer.caBundle ? { caBundle: issuer.caBundle.replace(/\s+/g, "") } : {}),
          auth: { kubernetes: { mountPath: `/v1/auth/${issuer.kubernetesAuthPath}`, role: issuer.role, serviceAccountRef: { name: issuer.serviceAccountName } } },
        },
      },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: generatedMetadata(FDB_CLIENT_CERTIFICATE_NAME, workload),
      spec: {
        secretName: secrets.clientCertificate,
        commonName: certificate.commonName,
        duration: certificate.duration,
        renewBefore: certificate.renewBefore,
        privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
        usages: ["client auth", "digital signature", "key encipherment"],
        issuerRef: { name: issuer.name, kind: "Issuer", group: "cert-manager.io" },
      },
    },
    serviceAccount(rootCA.serviceAccountName, workload),
    {
      apiVersion: "generators.external-secrets.io/v1alpha1",
      kind: "VaultDynamicSecret",
      metadata: generatedMetadata(generatorName, workload),
      spec: {
        method: "GET",
        path: rootCA.path,
        provider: {
          server: issuer.server,
          version: "v2",
          ...(rootCA.caBundle ? { caBundle: rootCA.caBundle.replace(/\s+/g, "") } : {}),
          ...(rootCA.caSecretRef ? { caProvider: { type: "Secret", name: rootCA.caSecretRef.name, key: rootCA.caSecretRef.key } } : {}),
          auth: { kubernetes: { mountPath: issuer.kubernetesAuthPath, role: rootCA.role, serviceAccountRef: { name: rootCA.serviceAccountName } } },
        },
      },
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: generatedMetadata(secrets.rootCa, workload),
      spec: {
        refreshInterval: rootCA.refreshInterval,
        target: { name: secrets.rootCa, creationPolicy: "Owner", template: { data: { "ca.crt": "{{ .certificate }}" } } },
        dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "VaultDynamicSecret", name: generatorName } } }],
      },
    },
  ];
}
