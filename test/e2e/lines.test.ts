/**
 * Both Stalwart lines through the real tools: every ready overlay rendered for 0.14 as well as for 0.15 (what a
 * Helm chart user pins), and the upgrade guard under kpt, which keeps the rendered workload in the package.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { LINES, type Line } from "../../src/lines.ts";
import { LINE_ANNOTATION, LINE_LABEL } from "../../src/render/workload-line.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { configToml, find, parseManifests } from "../support/manifests.ts";
import { overlayLine, readyOverlays } from "../support/overlays.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { flattenToml, readLikeStalwart } from "../support/stalwart-toml.ts";
import { unknownStalwartKeys } from "../support/stalwart-keys.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize, REPO_ROOT, run } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-lines-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The ready overlay in a folder of its own, its paths rebased, on `line`: the StalwartConfig and the image tag changed. */
function overlayOn(overlay: string, line: Line): string {
  const source = join(REPO_ROOT, "overlays", overlay);
  const dir = join(scratch, `${overlay}-${line}`);
  mkdirSync(dir);
  const kustomization = parse(readFileSync(join(source, "kustomization.yaml"), "utf8")) as Record<string, unknown>;
  const rebase = (path: string) => relative(dir, resolve(source, path));
  for (const field of ["resources", "components"]) if (Array.isArray(kustomization[field])) kustomization[field] = (kustomization[field] as string[]).map(rebase);
  for (const image of (kustomization.images ?? []) as { newTag?: string }[]) if (image.newTag) image.newTag = image.newTag.replace(/^v\d+\.\d+\.\d+/, LINES[line].release);
  writeFileSync(join(dir, "kustomization.yaml"), stringify(kustomization));
  const config = readFileSync(join(source, "stalwartconfig.yaml"), "utf8");
  assert.match(config, /version: "0.15"/, "the ready overlays are on 0.15");
  writeFileSync(join(dir, "stalwartconfig.yaml"), config.replace('version: "0.15"', `version: "${line}"`));
  return dir;
}

const workloadOf = (objects: ReturnType<typeof parseManifests>) => objects.find((object) => object.kind === "Deployment" || object.kind === "StatefulSet") as any;

// The TOML overlays: the 0.16 ones are another layout (config.json and an apply Job), tested in v016.test.ts.
for (const overlay of readyOverlays().filter((name) => overlayLine(name) !== "0.16")) {
  describe(`overlays/${overlay} pinned to 0.14, as a Helm chart user does`, () => {
    const dir = overlayOn(overlay, "0.14");
    const build = kubectlKustomize(dir);
    const objects = build.status === 0 ? parseManifests(build.stdout) : [];

    test("builds, and stays valid: upstream schemas, field types, Pod Security restricted", async () => {
      assert.equal(build.status, 0, build.stderr);
      assert.deepEqual(await allSchemaProblems(objects), []);
      assert.deepEqual(typeProblems(objects), []);
      assert.deepEqual(objects.flatMap(restrictedViolations), []);
    });

    test("runs v0.14.1 with what 0.14 reads, and keeps the selector of deployments made before lines", () => {
      const workload = workloadOf(objects);
      const images = [...workload.spec.template.spec.containers, ...(workload.spec.template.spec.initContainers ?? [])].map((container: { image: string }) => container.image);
      assert.ok(images.every((image: string) => /:v0\.14\.1(-fdb)?$/.test(image)), images.join(", "));
      assert.equal(workload.spec.selector.matchLabels[LINE_LABEL], undefined);
      assert.equal(workload.metadata.annotations[LINE_ANNOTATION], "0.14");
      const toml = configToml(objects);
      const flat = flattenToml(toml);
      assert.deepEqual(readLikeStalwart(toml), flat);
      assert.deepEqual(unknownStalwartKeys(Object.keys(flat), "0.14"), []);
      assert.equal(flat["webadmin.resource"], LINES["0.14"].webadmin);
      assert.equal(flat["spam-filter.resource"], undefined);
    });
  });

  test(`overlays/${overlay} on 0.15: the line is in the selector, so the API server refuses to roll it over 0.14's pods`, () => {
    const build = kubectlKustomize(`overlays/${overlay}`);
    assert.equal(build.status, 0, build.stderr);
    const objects = parseManifests(build.stdout);
    const workload = workloadOf(objects);
    assert.equal(workload.spec.selector.matchLabels[LINE_LABEL], "0.15");
    assert.equal(workload.spec.template.metadata.labels[LINE_LABEL], "0.15");
    assert.deepEqual(unknownStalwartKeys(Object.keys(flattenToml(configToml(objects))), "0.15"), []);
    // The Services select by name alone, so they reach the pods of either line.
    for (const service of objects.filter((object) => object.kind === "Service")) assert.equal((service.spec as any).selector[LINE_LABEL], undefined);
  });
}

test("kubectl: an image tag of another line fails the build with the container and the fix", () => {
  const dir = overlayOn("cluster", "0.15");
  writeFileSync(join(dir, "kustomization.yaml"), readFileSync(join(dir, "kustomization.yaml"), "utf8").replace("v0.15.5-fdb", "v0.14.1-fdb"));
  const build = kubectlKustomize(dir);
  assert.notEqual(build.status, 0);
  assert.match(build.stderr, /spec\.template\.spec\.containers\[name=stalwart\]\.image: image "registry\.example\.com\/stalwart:v0\.14\.1-fdb" is Stalwart 0\.14, but `spec\.version` is "0\.15"/);
});

describe("kpt: the package remembers its line", () => {
  const dir = mkdtempSync(join(scratch, "kpt-"));
  cpSync(join(REPO_ROOT, "overlays/kpt"), join(dir, "overlays/kpt"), { recursive: true });
  cpSync(join(REPO_ROOT, "plugin"), join(dir, "plugin"), { recursive: true });
  const config = join(dir, "overlays/kpt/stalwartconfig.yaml");
  const original = readFileSync(config, "utf8");
  const setSpec = (lines: string) => writeFileSync(config, original.replace('  version: "0.15"\n', lines));
  const render = () => run("kpt", ["fn", "render", "overlays/kpt", "--allow-exec"], { cwd: dir });
  const deployment = () => parseManifests(readFileSync(join(dir, "overlays/kpt/deployment-stalwart.yaml"), "utf8"))[0] as any;

  test("rendered for 0.14 first, as a chart user's package is", () => {
    // The committed package is rendered for 0.15: make it what a 0.14 render leaves, without the function.
    const file = join(dir, "overlays/kpt/deployment-stalwart.yaml");
    const workload = parse(readFileSync(file, "utf8")) as any;
    workload.metadata.annotations[LINE_ANNOTATION] = "0.14";
    delete workload.spec.selector.matchLabels[LINE_LABEL];
    delete workload.spec.template.metadata.labels[LINE_LABEL];
    for (const container of workload.spec.template.spec.containers) container.image = container.image.replace("v0.15.5", "v0.14.1");
    writeFileSync(file, stringify(workload));
    setSpec('  version: "0.14"\n');
    const result = render();
    assert.equal(result.status, 0, result.stderr);
    assert.equal(deployment().metadata.annotations[LINE_ANNOTATION], "0.14");
  });

  test("0.15 without spec.upgrade is refused, and the package stays on 0.14", () => {
    setSpec('  version: "0.15"\n');
    const result = render();
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /was rendered for Stalwart 0\.14, and `spec\.version` asks for 0\.15/);
    assert.equal(deployment().metadata.annotations[LINE_ANNOTATION], "0.14");
  });

  test("with spec.upgrade the package moves to 0.15, with the migration's startup budget", () => {
    setSpec('  version: "0.15"\n  upgrade:\n    from: "0.14"\n    backup: VolumeSnapshot stalwart-data-before-0.15\n    startupTimeout: 2h\n');
    const result = render();
    assert.equal(result.status, 0, result.stderr);
    const workload = deployment();
    assert.equal(workload.metadata.annotations[LINE_ANNOTATION], "0.15");
    const stalwart = workload.spec.template.spec.containers.find((container: { name: string }) => container.name === "stalwart");
    // The tags the function gave for 0.14 are its own to change; the selector moves to the new line.
    assert.equal(stalwart.image, "stalwartlabs/stalwart:v0.15.5");
    assert.equal(workload.spec.selector.matchLabels[LINE_LABEL], "0.15");
    assert.equal(stalwart.startupProbe.failureThreshold * stalwart.startupProbe.periodSeconds, 7200);
  });

  test("and never back to 0.14: only the backup holds 0.14's data", () => {
    setSpec('  version: "0.14"\n');
    const result = render();
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Going back means restoring the backup/);
    assert.equal(find(parseManifests(readFileSync(join(dir, "overlays/kpt/deployment-stalwart.yaml"), "utf8")), "Deployment").metadata.annotations?.[LINE_ANNOTATION], "0.15");
  });
});

