/** The README is the front door: its commands must work and its reference must match the schema. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { renderReference } from "../scripts/reference.ts";
import schema from "../src/settings/stalwartconfig.schema.json" with { type: "json" };
import { readyOverlays, subfolders } from "./support/overlays.ts";
import { REPO_ROOT, run } from "./support/tools.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const golden = (overlay: string) => readFileSync(join(REPO_ROOT, "test/golden/overlays", `${overlay}.yaml`), "utf8");

test("the StalwartConfig reference is the one the schema generates (run `npm run reference`)", () => {
  assert.ok(readme.includes(renderReference()));
});

test("the quick start is two commands, and its render command prints overlays/single", () => {
  assert.match(readme, /```sh\nnpm ci && npm run render -- overlays\/single\n```/);
  assert.match(readme, /```sh\nnpm test\n```/);
  const render = run("npm", ["run", "-s", "render", "--", "overlays/single"]);
  assert.equal(render.status, 0, render.stderr);
  assert.equal(render.stdout, golden("single"));
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

test("every component has a README and a row in the components table", () => {
  for (const component of subfolders("overlays/components")) {
    assert.ok(existsSync(join(REPO_ROOT, "overlays/components", component, "README.md")), `${component} has no README.md`);
    assert.match(readme, new RegExp(`\\| \\[\`${component}\`\\]\\(overlays/components/${component}\\)`), component);
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

test("the table of warning codes lists exactly the codes of the schema, in its order", () => {
  const table = readme.slice(readme.indexOf("| Warning code |")).split("\n\n")[0] ?? "";
  const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(rows, schema.$defs.warningCode.enum);
});
