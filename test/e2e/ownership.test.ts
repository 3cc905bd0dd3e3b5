/**
 * The function never touches what it does not own, driven through the real kubectl kustomize and kpt: a user's
 * Service on a mail port, a user's object with a generated object's name, files marked by hand, and a second
 * StalwartConfig on the same instance.
 */
import assert from "node:assert/strict";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { stringify } from "yaml";
import { parseManifests } from "../support/manifests.ts";
import { kubectlKustomize, REPO_ROOT, run } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-ownership-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const relay = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "relay", labels: { "app.kubernetes.io/name": "stalwart" } },
  spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "stalwart" }, ports: [{ name: "submission", port: 587, targetPort: "submission" }] },
};
const userIssuer = { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "stalwart-acme" }, spec: { selfSigned: {} } };

/** An overlay on base/single with overlays/single's StalwartConfig, extra resources, and extra transformer files. */
function overlay(name: string, extra: { resources?: object[]; transformers?: Record<string, string>; base?: string } = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO_ROOT, "overlays/single/stalwartconfig.yaml"), join(dir, "stalwartconfig.yaml"));
  (extra.resources ?? []).forEach((resource, index) => writeFileSync(join(dir, `resource-${index}.yaml`), stringify(resource)));
  for (const [file, text] of Object.entries(extra.transformers ?? {})) writeFileSync(join(dir, file), text);
  const kustomization = {
    resources: [relative(dir, join(REPO_ROOT, extra.base ?? "base/single")), ...(extra.resources ?? []).map((_, index) => `resource-${index}.yaml`)],
    transformers: ["stalwartconfig.yaml", ...Object.keys(extra.transformers ?? {})],
  };
  writeFileSync(join(dir, "kustomization.yaml"), stringify(kustomization));
  return dir;
}

describe("under kubectl kustomize", () => {
  test("a user's ClusterIP relay Service on 587 stays as written; only the marked Service is shaped", () => {
    const build = kubectlKustomize(overlay("relay", { resources: [relay] }));
    assert.equal(build.status, 0, build.stderr);
    const services = parseManifests(build.stdout).filter((object) => object.kind === "Service");
    assert.deepEqual(services.find((service) => service.metadata.name === "relay"), relay);
    assert.equal((services.find((service) => service.metadata.name === "stalwart")?.spec as { type: string }).type, "LoadBalancer");
  });

  test("a user's Issuer named like the generated one fails the build, naming it", () => {
    const build = kubectlKustomize(overlay("collision", { resources: [userIssuer] }));
    assert.notEqual(build.status, 0);
    assert.match(build.stderr, /cert-manager\.io\/v1\/Issuer\/stalwart-acme: the function generates Issuer "stalwart-acme" for this instance, and the input already has one/);
  });

  test("two StalwartConfigs under transformers: fail the build instead of the last one winning", () => {
    const second = readFileSync(join(REPO_ROOT, "overlays/single/stalwartconfig.yaml"), "utf8").replace("name: stalwart", "name: second");
    const build = kubectlKustomize(overlay("two-configs", { transformers: { "second.yaml": second } }));
    assert.notEqual(build.status, 0);
    assert.match(build.stderr, /StalwartConfig "stalwart" already configured this Deployment, and StalwartConfig "second" would silently replace its settings/);
  });

  test("a StalwartConfig in an overlay built on a ready overlay fails the build", () => {
    const build = kubectlKustomize(overlay("on-top", { base: "overlays/single" }));
    assert.notEqual(build.status, 0);
    assert.match(build.stderr, /already configured this Deployment/);
  });
});

describe("under kpt fn render", () => {
  function workspace(files: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, "kpt-"));
    cpSync(join(REPO_ROOT, "overlays/kpt"), join(dir, "overlays/kpt"), { recursive: true });
    cpSync(join(REPO_ROOT, "plugin"), join(dir, "plugin"), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, "overlays/kpt", file), text);
    return dir;
  }
  const render = (dir: string) => run("kpt", ["fn", "render", "overlays/kpt", "--allow-exec"], { cwd: dir });

  test("a user's file with a generated object's name fails the render and stays on disk", () => {
    const text = stringify(userIssuer);
    const fresh = workspace({ "my-issuer.yaml": text });
    rmSync(join(fresh, "overlays/kpt/issuer-stalwart-acme.yaml"));
    const collision = render(fresh);
    assert.notEqual(collision.status, 0);
    assert.match(collision.stderr, /the function generates Issuer "stalwart-acme" for this instance, and the input already has one \(this StalwartConfig did not generate it\)/);
    assert.equal(readFileSync(join(fresh, "overlays/kpt/my-issuer.yaml"), "utf8"), text);
    // Beside the file an earlier render generated, both files are named.
    const beside = workspace({ "my-issuer.yaml": text });
    const twice = render(beside);
    assert.notEqual(twice.status, 0);
    assert.match(twice.stderr, /Issuer\/stalwart-acme: appears twice in the input \(in issuer-stalwart-acme\.yaml and in my-issuer\.yaml\)/);
    assert.equal(readFileSync(join(beside, "overlays/kpt/my-issuer.yaml"), "utf8"), text);
  });

  test("hand-marked files the function never generated stay byte for byte", () => {
    const legacyMark = stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "notes", annotations: { "stalwart.krm.example/generated": "true" } }, data: { a: "b" } });
    const ownMarkOtherKind = stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "more-notes", annotations: { "stalwart.krm.example/generated-by": "stalwart" } }, data: { c: "d" } });
    const dir = workspace({ "notes.yaml": legacyMark, "more-notes.yaml": ownMarkOtherKind });
    const result = render(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(dir, "overlays/kpt/notes.yaml"), "utf8"), legacyMark);
    assert.equal(readFileSync(join(dir, "overlays/kpt/more-notes.yaml"), "utf8"), ownMarkOtherKind);
    assert.ok(existsSync(join(dir, "overlays/kpt/issuer-stalwart-acme.yaml")));
  });
});
