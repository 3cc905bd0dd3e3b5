/**
 * FoundationDB client certificates from Vault or OpenBao: a cert-manager Vault Issuer and the client
 * Certificate, the ServiceAccounts both sides log in as, the RBAC that lets cert-manager request tokens for the
 * issuer's ServiceAccount, and an External Secrets VaultDynamicSecret + ExternalSecret for the root CA.
 */
import type { KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { generatedMetadata, type Instance } from "./generated.js";

/** Names of the Secrets the workload mounts, as the bases give them (the instance's affixes are added here). */
export interface FdbSecretNames {
  /** The Secret the workload mounts as its client certificate. */
  clientCertificate: string;
  /** The Secret the workload mounts as the root CA. */
  rootCa: string;
}

function serviceAccount(name: string, instance: Instance): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: generatedMetadata(name, instance), automountServiceAccountToken: false };
}

export function renderFdbClientCerts(settings: StalwartConfig, instance: Instance, secrets: FdbSecretNames): KubeObject[] {
  const config = settings.spec.fdbClientCert;
  if (!config) return [];
  const { certManager, certificate, rootCA } = config;
  const { rename } = instance;
  // Every object here belongs to the instance; cert-manager's own ServiceAccount and Vault's names do not.
  const issuer = { ...config.issuer, name: rename(config.issuer.name), serviceAccountName: rename(config.issuer.serviceAccountName) };
  const rootCaServiceAccount = rename(rootCA.serviceAccountName);
  const tokenCreator = rename(`${config.issuer.serviceAccountName}-token-creator`);
  const generatorName = rename(`${secrets.rootCa}-generator`);
  const clientSecret = rename(secrets.clientCertificate);
  const rootCaSecret = rename(secrets.rootCa);
  return [
    serviceAccount(issuer.serviceAccountName, instance),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: generatedMetadata(tokenCreator, instance),
      rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [issuer.serviceAccountName], verbs: ["create"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: generatedMetadata(tokenCreator, instance),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: tokenCreator },
      subjects: [{ kind: "ServiceAccount", name: certManager.serviceAccountName, namespace: certManager.namespace }],
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: generatedMetadata(issuer.name, instance),
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
      metadata: generatedMetadata(rename(`${instance.base}-fdb-client`), instance),
      spec: {
        secretName: clientSecret,
        commonName: certificate.commonName,
        duration: certificate.duration,
        renewBefore: certificate.renewBefore,
        // FoundationDB documents its key file as PKCS#8 (apple/foundationdb 7.3.69 documentation/sphinx/source/tls.rst:204);
        // cert-manager writes PKCS#1 unless told otherwise.
        privateKey: { algorithm: "RSA", size: 2048, encoding: "PKCS8", rotationPolicy: "Always" },
        usages: ["client auth", "digital signature", "key encipherment"],
        issuerRef: { name: issuer.name, kind: "Issuer", group: "cert-manager.io" },
      },
    },
    serviceAccount(rootCaServiceAccount, instance),
    {
      apiVersion: "generators.external-secrets.io/v1alpha1",
      kind: "VaultDynamicSecret",
      metadata: generatedMetadata(generatorName, instance),
      spec: {
        method: "GET",
        path: rootCA.path,
        provider: {
          server: issuer.server,
          version: "v2",
          ...(rootCA.caBundle ? { caBundle: rootCA.caBundle.replace(/\s+/g, "") } : {}),
          ...(rootCA.caSecretRef ? { caProvider: { type: "Secret", name: rootCA.caSecretRef.name, key: rootCA.caSecretRef.key } } : {}),
          auth: { kubernetes: { mountPath: issuer.kubernetesAuthPath, role: rootCA.role, serviceAccountRef: { name: rootCaServiceAccount } } },
        },
      },
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: generatedMetadata(rootCaSecret, instance),
      spec: {
        refreshInterval: rootCA.refreshInterval,
        target: { name: rootCaSecret, creationPolicy: "Owner", template: { data: { "ca.crt": "{{ .certificate }}" } } },
        dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "VaultDynamicSecret", name: generatorName } } }],
      },
    },
  ];
}
