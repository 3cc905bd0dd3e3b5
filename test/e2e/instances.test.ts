/**
 * Renames and several instances, built by the real kustomize: a namePrefix, a nameSuffix or a renaming patch
 * in the overlay that runs the function, two instances in one namespace, and a prefix in an overlay built on
 * top. In every case the mounted ConfigMap holds config.toml, generated objects follow the instance, and
 * every reference among the objects resolves.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { stringify } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { parseManifests } from "../support/manifests.ts";
import { collisions, unresolvedReferences } from "../support/references.ts";
import { execFunctionEnv, kubectlKustomize, REPO_ROOT, run, STANDALONE_KUSTOMIZE } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-instances-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A kustomization folder in the scratch space; `repo(path)` is that repository path relative to it. */
function overlay(name: string, kustomization: (repo: (path: string) => string) => Record<string, unknown>, stalwartConfigFrom?: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const repo = (path: string) => relative(dir, join(REPO_ROOT, path));
  writeFileSync(join(dir, "kustomization.yaml"), stringify(kustomization(repo)));
  if (stalwartConfigFrom) copyFileSync(join(REPO_ROOT, stalwartConfigFrom), join(dir, "stalwartconfig.yaml"));
  return dir;
}

function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

const generated = (objects: readonly KubeObject[]) => objects.filter((object) => object.metadata.annotations?.["stalwart.krm.example/generated-by"] !== undefined);
const named = (objects: readonly KubeObject[]) => objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();

describe("renames in the overlay that runs the function", () => {
  const single = (extra: Record<string, unknown>) => (repo: (path: string) => string) => ({
    ...extra,
    resources: [repo("base/single")],
    components: [repo("overlays/components/tls-reload")],
    transformers: ["stalwartconfig.yaml"],
  });

  test("namePrefix: the mounted ConfigMap holds config.toml and generated objects carry the prefix", () => {
    const objects = build(overlay("prefix", single({ namePrefix: "corp-" }), "overlays/single/stalwartconfig.yaml"));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(objects.filter((object) => object.kind === "ConfigMap").map((object) => object.metadata.name), ["corp-stalwart"], "no orphan ConfigMap");
    assert.deepEqual(named(generated(objects)), ["Certificate/corp-stalwart-tls", "Issuer/corp-stalwart-acme"]);
    assert.deepEqual(objects.filter((object) => !object.metadata.name.startsWith("corp-")).map((object) => object.metadata.name), []);
    const issuer = objects.find((object) => object.kind === "Issuer") as KubeObject & { spec: { acme: { privateKeySecretRef: { name: string } } } };
    assert.equal(issuer.spec.acme.privateKeySecretRef.name, "corp-stalwart-acme-account-key");
  });

  test("nameSuffix: generated names take the suffix where kustomize puts it", () => {
    const objects = build(overlay("suffix", single({ nameSuffix: "-eu" }), "overlays/single/stalwartconfig.yaml"));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(named(generated(objects)), ["Certificate/stalwart-tls-eu", "Issuer/stalwart-acme-eu"]);
  });

  test("a patch renaming the ConfigMap: config.toml goes into the renamed one", () => {
    const patch = { target: { kind: "ConfigMap", name: "stalwart" }, patch: stringify([{ op: "replace", path: "/metadata/name", value: "mail-config" }]) };
    const objects = build(overlay("renamed-configmap", single({ patches: [patch] }), "overlays/single/stalwartconfig.yaml"));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(objects.filter((object) => object.kind === "ConfigMap").map((object) => object.metadata.name), ["mail-config"]);
  });

  test("namePrefix with the placeholder deleted: the ConfigMap the function creates follows the instance", () => {
    const deletion = { patch: stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "stalwart" }, $patch: "delete" }) };
    const objects = build(overlay("prefix-no-placeholder", single({ namePrefix: "corp-", patches: [deletion] }), "overlays/single/stalwartconfig.yaml"));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(objects.filter((object) => object.kind === "ConfigMap").map((object) => object.metadata.name), ["corp-stalwart"]);
  });

  test("kustomize 4.5.4 running the exec function: the prefixed ConfigMap holds config.toml", () => {
    const dir = overlay("exec-prefix", (repo) => ({ namePrefix: "corp-", resources: [repo("base/single")], components: [repo("overlays/components/tls-reload")], transformers: ["stalwartconfig.yaml"] }), "overlays/exec-function/stalwartconfig.yaml");
    const result = run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", "--enable-exec", dir], { env: execFunctionEnv(scratch) });
    assert.equal(result.status, 0, result.stderr);
    const objects = parseManifests(result.stdout);
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(objects.filter((object) => object.kind === "ConfigMap").map((object) => object.metadata.name), ["corp-stalwart"]);
  });
});

describe("several instances", () => {
  const instance = (prefix: string) =>
    overlay(
      `${prefix}instance`,
      (repo) => ({
        namePrefix: prefix,
        // Without a label of their own, the Services of both instances would select the pods of both.
        labels: [{ pairs: { "app.kubernetes.io/instance": prefix.slice(0, -1) }, includeSelectors: true }],
        resources: [repo("base/cluster")],
        components: ["fdb", "fdb-tls", "tls-reload", "network-policy", "admin-service"].map((component) => repo(`overlays/components/${component}`)),
        images: [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart", newTag: "v0.15.5-fdb" }],
        transformers: ["stalwartconfig.yaml"],
      }),
      "overlays/cluster-fdb-tls/stalwartconfig.yaml",
    );

  test("two instances (a- and b-) in one namespace, in one build: no collision, every reference resolves", () => {
    instance("a-");
    instance("b-");
    const objects = build(overlay("two", () => ({ namespace: "mail", resources: ["../a-instance", "../b-instance"] })));
    assert.deepEqual(collisions(objects), []);
    assert.deepEqual(unresolvedReferences(objects), []);
    const kinds = new Set(generated(objects).map((object) => object.kind));
    for (const kind of ["Certificate", "Issuer", "ServiceAccount", "Role", "RoleBinding", "VaultDynamicSecret", "ExternalSecret", "NetworkPolicy", "Service"]) assert.ok(kinds.has(kind), `generates a ${kind}`);
    for (const prefix of ["a-", "b-"]) assert.ok(generated(objects).filter((object) => object.metadata.name.startsWith(prefix)).length >= 10);
  });

  test("a namePrefix in an overlay built on top renames both ends of every reference", () => {
    const objects = build(overlay("outer", (repo) => ({ namePrefix: "x-", resources: [repo("overlays/cluster-fdb-tls")] })));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(generated(objects).filter((object) => !object.metadata.name.startsWith("x-")).map((object) => object.metadata.name), []);
  });

  test("a nameSuffix in an overlay built on top, over a prefixed instance, keeps every reference whole", () => {
    instance("c-");
    const objects = build(overlay("outer-suffix", () => ({ nameSuffix: "-eu", resources: ["../c-instance"] })));
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.deepEqual(generated(objects).filter((object) => !/^c-.*-eu$/.test(object.metadata.name)).map((object) => object.metadata.name), []);
  });
});
