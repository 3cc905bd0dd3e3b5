/**
 * The migration guide's patches, taken from docs/migrating-from-helm.md and the tracer's README as written and built by the real kubectl into a cluster
 * migrated from the Helm chart: every Secret named where the guide says, and nothing else moved.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { find, parseManifests, secretsRequired } from "../support/manifests.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize, REPO_ROOT } from "../support/tools.ts";

const MARKER = "<!-- test: test/e2e/migration.test.ts builds these patches -->";

/** The `patches` of every YAML block right after the marker in a Markdown page. */
function documentedPatches(page: string): unknown[] {
  const text = readFileSync(join(REPO_ROOT, page), "utf8");
  const blocks = text.split(MARKER).slice(1).map((after) => /^\n```yaml\n([\s\S]*?)\n```/.exec(after)?.[1]);
  assert.ok(blocks.length > 0 && blocks.every((block) => block !== undefined), `${page}: a YAML block follows every marker`);
  return blocks.flatMap((block) => (parse(block as string) as { patches: unknown[] }).patches);
}

const workdir = mkdtempSync(join(tmpdir(), "stalwart-migration-"));
after(() => rmSync(workdir, { recursive: true, force: true }));

function build(): KubeObject[] {
  const spec = {
    version: "0.14",
    hostname: "mail.example.com",
    tls: { acme: { accountKeySecretName: "stalwart-account-key", acmeDns: { host: "https://acme-dns.example.com", accountSecretRef: { name: "acme-dns", key: "acmedns.json" } } } },
    cluster: { nats: { addresses: ["nats://nats-server:4222"] } },
    fdbClientCert: { issuer: { server: "https://openbao.openbao.svc:8200" }, rootCA: { caSecretRef: { name: "openbao-ca-cert" } } },
  };
  writeFileSync(join(workdir, "stalwartconfig.yaml"), JSON.stringify({ apiVersion: "stalwart.krm.example/v1alpha1", kind: "StalwartConfig", metadata: { name: "stalwart" }, spec }));
  const component = (name: string) => relative(workdir, join(REPO_ROOT, "overlays/components", name));
  writeFileSync(
    join(workdir, "kustomization.yaml"),
    JSON.stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [relative(workdir, join(REPO_ROOT, "base/cluster"))],
      components: ["fdb", "fdb-tls", "nats-auth", "fallback-admin", "tracer", "tls-reload"].map(component),
      images: [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart", newTag: "v0.14.1-fdb" }],
      patches: [...documentedPatches("docs/migrating-from-helm.md"), ...documentedPatches("overlays/components/tracer/README.md")],
      transformers: ["stalwartconfig.yaml"],
    }),
  );
  const result = kubectlKustomize(workdir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

const objects = build();
const workload = find(objects, "StatefulSet", "stalwart");
const pod = (workload.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { name: string; env?: { name: string; value?: string }[] }[]; volumes: { name: string; emptyDir?: { sizeLimit?: string } }[] } } }).template;

test("the migrated cluster is valid against the upstream schemas and types", async () => {
  assert.deepEqual(await allSchemaProblems(objects), []);
  assert.deepEqual(typeProblems(objects), []);
});

test("the pods read the Secrets the patches name, and the chart's fallback administrator Secret", () => {
  // stalwart-fdb-client-cert and stalwart-fdb-root-ca are written by the generated Certificate and ExternalSecret; stalwart-oauth-key is new: the cluster base needs it (docs/cluster.md).
  assert.deepEqual(secretsRequired(objects), ["my-fdb-cluster-file", "my-nats", "stalwart", "stalwart-fdb-client-cert", "stalwart-fdb-root-ca", "stalwart-oauth-key"]);
  const env = pod.spec.containers.find((container) => container.name === "stalwart")?.env ?? [];
  assert.deepEqual(env.filter((variable) => /^(NATS_|STALWART_FALLBACK)/.test(variable.name)).map((variable) => variable.name).sort(), ["NATS_PASSWORD", "NATS_USERNAME", "STALWART_FALLBACK_ADMIN_SECRET", "STALWART_FALLBACK_ADMIN_USER"], "replaced, not added twice");
});

test("the chart's ACME account key is kept, and the CA Secret's key defaults to ca.crt as in the chart", () => {
  assert.equal((find(objects, "Issuer", "stalwart-acme").spec as { acme: { privateKeySecretRef: { name: string } } }).acme.privateKeySecretRef.name, "stalwart-account-key");
  assert.equal((find(objects, "VaultDynamicSecret", "stalwart-fdb-root-ca-generator").spec as { provider: { caProvider: { key: string } } }).provider.caProvider.key, "ca.crt");
});

test("the chart's workload annotations land on the workload and its pods only", () => {
  assert.equal(workload.metadata.annotations?.["example.com/team"], "mail");
  assert.equal(pod.metadata.annotations?.["example.com/scrape"], "false");
  for (const object of objects.filter((candidate) => candidate !== workload)) assert.equal(object.metadata.annotations?.["example.com/team"], undefined, `${object.kind}/${object.metadata.name}`);
});

test("the tracer's README patch resizes the logs volume and the pruner's limit together", () => {
  assert.equal(pod.spec.volumes.find((volume) => volume.name === "logs")?.emptyDir?.sizeLimit, "4Gi");
  const pruner = pod.spec.containers.find((container) => container.name === "log-pruner")?.env ?? [];
  assert.equal(pruner.find((variable) => variable.name === "MAX_BYTES")?.value, String(3 * 1024 ** 3));
  assert.equal(pruner.find((variable) => variable.name === "MAX_FILES")?.value, "30", "the rest of the container kept");
});
