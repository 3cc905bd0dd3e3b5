/**
 * The README is the front door and docs/ holds the rest: the front door stays short, its commands work, the
 * reference and the editors' schema match the source schema, and every shipped StalwartConfig names that schema.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import { editorSchema, renderReference, SCHEMA_PUBLISHED } from "../scripts/reference.ts";
import schema from "../src/settings/stalwartconfig.schema.json" with { type: "json" };
import { readyOverlays, subfolders } from "./support/overlays.ts";
import { kubectlKustomize, REPO_ROOT, run } from "./support/tools.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const readme = read("README.md");
const golden = (overlay: string) => read(`test/golden/overlays/${overlay}.yaml`);

test("the README stays a front door: at most 16 KB", () => {
  assert.ok(Buffer.byteLength(readme) <= 16 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes; move detail into docs/`);
});

test("the StalwartConfig reference in docs/reference.md is the one the schema generates (run `npm run reference`)", () => {
  assert.ok(read("docs/reference.md").includes(renderReference()));
});

test("the quick start renders overlays/single-0.16 with npm's banner silenced, as kubectl kustomize builds it", () => {
  assert.match(readme, /```sh\nnpm ci\n```/);
  assert.match(readme, /```sh\nnpm run -s render -- overlays\/single-0\.16\n```/);
  assert.match(readme, /```sh\nnpm test\n```/);
  const render = run("npm", ["run", "-s", "render", "--", "overlays/single-0.16"]);
  assert.equal(render.status, 0, render.stderr);
  const build = kubectlKustomize(join(REPO_ROOT, "overlays/single-0.16"));
  assert.equal(build.status, 0, build.stderr);
  assert.equal(render.stdout, build.stdout);
});

test("npm run render reads a relative folder from where it is run, not from the repository root", () => {
  const render = run("npm", ["run", "-s", "render", "--", "single"], { cwd: join(REPO_ROOT, "overlays") });
  assert.equal(render.status, 0, render.stderr);
  assert.equal(render.stdout, golden("single"));
  const here = run("npm", ["run", "-s", "render", "--", "."], { cwd: join(REPO_ROOT, "overlays/cluster") });
  assert.equal(here.status, 0, here.stderr);
  assert.equal(here.stdout, golden("cluster"));
});

test("the kubectl command of the README builds what the golden file holds", () => {
  const line = readme.split("\n").find((text) => text.startsWith("KUSTOMIZE_PLUGIN_HOME=$PWD/plugin kubectl kustomize"));
  assert.ok(line);
  const command = line.replace(/\s+#.*$/, "");
  const overlay = command.split(" ").at(-1) as string;
  const build = run("sh", ["-c", command]);
  assert.equal(build.status, 0, build.stderr);
  assert.equal(build.stdout, golden(overlay.replace("overlays/", "")));
});

test("every ready overlay is in the layout table", () => {
  for (const overlay of readyOverlays()) assert.match(readme, new RegExp(`\\| \\[\`overlays/${overlay}\`\\]`), overlay);
});

test("every component has a README and a row in the components table of docs/operations.md", () => {
  const operations = read("docs/operations.md");
  for (const component of subfolders("overlays/components")) {
    assert.ok(existsSync(join(REPO_ROOT, "overlays/components", component, "README.md")), `${component} has no README.md`);
    assert.match(operations, new RegExp(`\\| \\[\`${component}\`\\]\\(\\.\\./overlays/components/${component}\\)`), component);
  }
});

test("the README shows each way to use the library with the command its test runs", () => {
  for (const command of [
    "kpt fn render overlays/kpt --allow-exec",
    'PATH="$PWD/bin:$PATH" kustomize build --enable-alpha-plugins --enable-exec overlays/exec-function',
    "npm run install-plugin",
    "kubectl apply -n argocd -f overlays/argocd/application.yaml",
  ]) {
    assert.ok(readme.includes(`\n${command}\n`), `README lacks: ${command}`);
  }
});

test("remote bases are shown with a version tag, and the CHANGELOG has that version, which package.json carries", () => {
  const version = (JSON.parse(read("package.json")) as { version: string }).version;
  const changelog = read("CHANGELOG.md");
  assert.match(changelog, new RegExp(`^## \\[${version.replaceAll(".", "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`, "m"));
  const pages = ["README.md", "docs/kustomize.md", "overlays/argocd/README.md"].map(read).join("\n");
  const refs = [...pages.matchAll(/\?ref=(\S+)/g)].map((match) => match[1]);
  assert.ok(refs.length >= 3);
  for (const ref of refs) assert.equal(ref, `v${version}`);
  assert.doesNotMatch(pages, /<this repository>|<tag>/);
});

test("the table of warning codes in docs/errors.md lists exactly the codes of the schema, in its order", () => {
  const errors = read("docs/errors.md");
  const table = errors.slice(errors.indexOf("| Warning code |")).split("\n\n")[0] ?? "";
  const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(rows, schema.$defs.warningCode.enum);
});

test("the schema published for editors is the one `npm run reference` writes from the source", () => {
  assert.equal(read(SCHEMA_PUBLISHED), editorSchema());
});

/** Every StalwartConfig file the repository ships under base/ and overlays/, the kpt package's regenerated fragments included. */
function shippedStalwartConfigs(dir = ""): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === "base" || path === "overlays" || path.startsWith("base/") || path.startsWith("overlays/") ? shippedStalwartConfigs(path) : [];
    if (!entry.name.endsWith(".yaml")) return [];
    return /^kind: StalwartConfig$/m.test(read(path)) ? [path] : [];
  });
}

test("every shipped StalwartConfig names the published schema for editors, and is valid against it", () => {
  const files = shippedStalwartConfigs();
  assert.ok(files.length >= 19, files.join(", "));
  const validate = new Ajv.default({ allErrors: true, strict: false }).compile(JSON.parse(read(SCHEMA_PUBLISHED)) as object);
  for (const file of files) {
    const text = read(file);
    const expected = `# yaml-language-server: $schema=${relative(dirname(file), SCHEMA_PUBLISHED)}\n`;
    assert.ok(text.startsWith(expected), `${file} must start with: ${expected}`);
    assert.ok(existsSync(join(REPO_ROOT, dirname(file), relative(dirname(file), SCHEMA_PUBLISHED))));
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as { kind?: string } | null;
      if (object?.kind !== "StalwartConfig") continue;
      assert.ok(validate(object), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  }
});
