import assert from "node:assert/strict";
import { test } from "node:test";
import { instanceOf } from "../../../src/render/generated.ts";
import { renderMailTls } from "../../../src/render/mail-tls.ts";
import { renderFdbClientCerts } from "../../../src/render/fdb-client-certs.ts";
import { checkFdbClientCertificate, goDurationSeconds } from "../../../src/checks/fdb-client-cert.ts";
import { applyResourcePatches } from "../../../src/render/resource-patches.ts";
import { findWorkload } from "../../../src/render/workload.ts";
import { checkTls } from "../../../src/checks/tls.ts";
import { transform } from "../../../src/transform.ts";
import { overlayInput, stalwartConfig, workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";

const workload = (overlay = "overlays/single") => {
  const found = findWorkload([workloadOf(overlay)]).workload;
  assert.ok(found);
  return found;
};
const acme = { acmeDns: { host: "https://acme-dns.example.com", accountSecretRef: { name: "acme-dns", key: "acmedns.json" } } };

test("the certificate covers the hostname by default and is named after the Secret it writes", () => {
  const [issuer, certificate] = renderMailTls(settingsFor({ tls: { acme } }), instanceOf(workload(), "stalwart"), "stalwart-tls");
  assert.equal(issuer?.kind, "Issuer");
  assert.equal(certificate?.metadata.name, "stalwart-tls");
  assert.deepEqual((certificate?.spec as any).dnsNames, ["mail.example.com"]);
  assert.deepEqual((certificate?.spec as any).privateKey, { algorithm: "RSA", size: 2048, rotationPolicy: "Always" });
  assert.equal(certificate?.metadata.annotations?.["stalwart.krm.example/generated-by"], "stalwart");
});

test("an issuerRef generates no issuer; ECDSA keys default to 256 bits", () => {
  const objects = renderMailTls(settingsFor({ tls: { issuerRef: { name: "ca" }, privateKey: { algorithm: "ECDSA" } } }), instanceOf(workload(), "stalwart"), "stalwart-tls");
  assert.deepEqual(objects.map((object) => object.kind), ["Certificate"]);
  assert.deepEqual((objects[0]?.spec as any).issuerRef, { name: "ca", kind: "ClusterIssuer", group: "cert-manager.io" });
  assert.equal((objects[0]?.spec as any).privateKey.size, 256);
});

test("generated objects take the workload's namespace and labels", () => {
  const object = workloadOf();
  object.metadata.namespace = "mail";
  object.metadata.labels = { "app.kubernetes.io/name": "stalwart", team: "mail" };
  const found = findWorkload([object]).workload;
  assert.ok(found);
  const [certificate] = renderMailTls(settingsFor({ tls: { issuerRef: { name: "ca" } } }), instanceOf(found, "stalwart"), "stalwart-tls");
  assert.equal(certificate?.metadata.namespace, "mail");
  assert.deepEqual(certificate?.metadata.labels, { "app.kubernetes.io/name": "stalwart", team: "mail" });
});

test("FoundationDB client certificates: the Vault CA inline, cert-manager elsewhere, all names from the settings", () => {
  const objects = renderFdbClientCerts(
    settingsFor({ fdbClientCert: { issuer: { server: "https://vault:8200", kubernetesAuthPath: "k8s/mail" }, certManager: { namespace: "security" }, rootCA: { caBundle: "QUJD\nREVG" } } }),
    instanceOf(workload("overlays/cluster"), "stalwart"),
    { clientCertificate: "client-cert", rootCa: "root-ca" },
  );
  assert.deepEqual(objects.map((object) => `${object.kind}/${object.metadata.name}`), [
    "ServiceAccount/fdb-client-issuer",
    "Role/fdb-client-issuer-token-creator",
    "RoleBinding/fdb-client-issuer-token-creator",
    "Issuer/fdb-client-issuer",
    "Certificate/stalwart-fdb-client",
    "ServiceAccount/stalwart-pki-reader",
    "VaultDynamicSecret/root-ca-generator",
    "ExternalSecret/root-ca",
  ]);
  const byKind = Object.fromEntries(objects.map((object) => [object.kind, object])) as Record<string, any>;
  assert.equal(byKind.Issuer.spec.vault.auth.kubernetes.mountPath, "/v1/auth/k8s/mail");
  assert.equal(byKind.VaultDynamicSecret.spec.provider.auth.kubernetes.mountPath, "k8s/mail");
  assert.equal(byKind.VaultDynamicSecret.spec.provider.caBundle, "QUJDREVG");
  assert.equal(byKind.VaultDynamicSecret.spec.provider.caProvider, undefined);
  assert.equal(byKind.RoleBinding.subjects[0].namespace, "security");
  assert.equal(byKind.Certificate.spec.secretName, "client-cert");
  assert.equal(byKind.ExternalSecret.spec.target.name, "root-ca");
});

test("FoundationDB client certificates: PKCS#8 keys, renewed well before libfdb_c's 12 h refresh, the CA Secret's key ca.crt by default", () => {
  const objects = renderFdbClientCerts(
    settingsFor({ fdbClientCert: { issuer: { server: "https://vault:8200" }, rootCA: { caSecretRef: { name: "openbao-ca" } } } }),
    instanceOf(workload("overlays/cluster"), "stalwart"),
    { clientCertificate: "client-cert", rootCa: "root-ca" },
  );
  const byKind = Object.fromEntries(objects.map((object) => [object.kind, object])) as Record<string, any>;
  assert.deepEqual(byKind.Certificate.spec.privateKey, { algorithm: "RSA", size: 2048, encoding: "PKCS8", rotationPolicy: "Always" });
  assert.equal(byKind.Certificate.spec.duration, "72h");
  assert.equal(byKind.Certificate.spec.renewBefore, "36h");
  assert.deepEqual(byKind.VaultDynamicSecret.spec.provider.caProvider, { type: "Secret", name: "openbao-ca", key: "ca.crt" });
});

test("FoundationDB client certificate lifetimes: renewBefore must outlast the refresh window and stay under duration", () => {
  const check = (certificate: Record<string, string>) => checkFdbClientCertificate(settingsFor({ fdbClientCert: { issuer: { server: "https://v:8200" }, certificate } }));
  assert.deepEqual(check({}), []);
  assert.deepEqual(check({ duration: "24h", renewBefore: "13h" }), []);
  assert.deepEqual(check({ duration: "2160h", renewBefore: "720h" }), []);
  // The seed chart's values: renewed 2 h before expiry, up to 10 h of expired certificates.
  const chart = check({ duration: "24h", renewBefore: "2h" });
  assert.equal(chart.length, 1);
  assert.equal(chart[0]?.severity, "error");
  assert.equal(chart[0]?.field?.path, "spec.fdbClientCert.certificate.renewBefore");
  assert.match(chart[0]?.message ?? "", /re-reads its certificate files only every 12 h .*at least 13 h/);
  assert.equal(check({ renewBefore: "12h59m59s" }).length, 1, "just under the window plus margin");
  assert.deepEqual(check({ renewBefore: "12h30m30s", duration: "1h" }).map((result) => result.field?.path), ["spec.fdbClientCert.certificate.renewBefore", "spec.fdbClientCert.certificate.duration"]);
  const inverted = check({ duration: "36h", renewBefore: "36h" });
  assert.deepEqual(inverted.map((result) => result.field?.path), ["spec.fdbClientCert.certificate.duration"]);
  assert.match(inverted[0]?.message ?? "", /`renewBefore` \(36h\) must be shorter than `duration` \(36h\)/);
  assert.deepEqual(checkFdbClientCertificate(settingsFor({})), [], "nothing to check without fdbClientCert");
});

test("Go durations as cert-manager reads them", () => {
  assert.equal(goDurationSeconds("72h"), 259200);
  assert.equal(goDurationSeconds("1h30m"), 5400);
  assert.equal(goDurationSeconds("1.5h"), 5400);
  assert.equal(goDurationSeconds("90m0s500ms"), 5400.5);
  assert.equal(goDurationSeconds("3d"), undefined);
  assert.equal(goDurationSeconds(""), undefined);
});

test("TLS checks: one issuer, the Secret mounted, FoundationDB certificates only with fdb-tls", () => {
  const messages = (results: { message: string }[]) => results.map((result) => result.message).join("\n");
  assert.match(messages(checkTls(settingsFor({ tls: {} }), workload())), /needs an issuer/);
  assert.match(messages(checkTls(settingsFor({ tls: { acme, issuerRef: { name: "x" } } }), workload())), /not both/);
  const bare = workloadOf();
  const pod = (bare.spec as any).template.spec;
  pod.volumes = pod.volumes.filter((volume: { name: string }) => volume.name !== "tls");
  const withoutMount = findWorkload([bare]).workload;
  assert.ok(withoutMount);
  assert.match(messages(checkTls(settingsFor({ tls: { acme } }), withoutMount)), /must mount the certificate's Secret as a volume named "tls"/);
  const fdb = settingsFor({ storage: { backend: "foundationdb" }, fdbClientCert: { issuer: { server: "https://v:8200" }, rootCA: { caBundle: "QQ==", caSecretRef: { name: "a", key: "b" } } } });
  const results = messages(checkTls(fdb, workload("overlays/cluster")));
  assert.match(results, /need the component overlays\/components\/fdb-tls/);
  assert.match(results, /`caBundle` or `caSecretRef`, not both/);
});

test("resource patches apply to generated objects and refuse to rename them", () => {
  const objects = renderMailTls(settingsFor({ tls: { issuerRef: { name: "ca" } } }), instanceOf(workload(), "stalwart"), "stalwart-tls");
  const spec = settingsFor({
    resourcePatches: [
      { target: { kind: "Certificate", name: "stalwart-tls" }, patch: [{ op: "replace", path: "/spec/issuerRef/name", value: "other" }] },
      { target: { kind: "Certificate", name: "stalwart-tls" }, patch: [{ op: "replace", path: "/metadata/name", value: "renamed" }] },
    ],
  }).spec;
  const patched = applyResourcePatches(objects, spec);
  assert.equal((patched.objects[0]?.spec as any).issuerRef.name, "other");
  assert.equal(patched.results.length, 1);
  assert.match(patched.results[0]?.message ?? "", /must not change the kind or name/);
  assert.equal(objects[0]?.metadata.name, "stalwart-tls", "the input is not modified");
});

test("a later run removes what an earlier run generated and no longer does (kpt keeps its output)", () => {
  const withTls = transform({ items: overlayInput(), functionConfig: stalwartConfig({ hostname: "mail.example.com", tls: { acme } }) });
  assert.ok(withTls.items.some((item) => item.kind === "Issuer"));
  const withExistingIssuer = transform({ items: withTls.items, functionConfig: stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "ca" } } }), mayHoldEarlierOutput: true });
  assert.equal(withExistingIssuer.items.some((item) => item.kind === "Issuer"), false);
  assert.equal(withExistingIssuer.items.filter((item) => item.kind === "Certificate").length, 1);
});
