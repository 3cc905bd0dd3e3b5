import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { ARGOCD_PLUGIN_ARCHIVE, buildPlugin, PLUGIN_PATH } from "../scripts/build.ts";
import { PLUGIN_BIN, PLUGIN_HOME, REPO_ROOT } from "./support/tools.ts";

test("the committed plugin bundle is what `npm run build` makes of the sources", async () => {
  const home = mkdtempSync(join(tmpdir(), "stalwart-plugin-"));
  try {
    const fresh = await buildPlugin(home, join(home, "StalwartConfig.gz"));
    assert.ok(readFileSync(fresh).equals(readFileSync(PLUGIN_BIN)), "plugin/ is stale: run `npm run build` and commit plugin/");
    assert.ok(readFileSync(join(home, "StalwartConfig.gz")).equals(readFileSync(join(REPO_ROOT, ARGOCD_PLUGIN_ARCHIVE))), `${ARGOCD_PLUGIN_ARCHIVE} is stale: run \`npm run build\``);
    assert.equal(readFileSync(join(dirname(fresh), "package.json"), "utf8"), readFileSync(join(dirname(PLUGIN_BIN), "package.json"), "utf8"));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("the plugin is an executable node script at the path kustomize looks it up by", () => {
  assert.equal(PLUGIN_BIN, join(PLUGIN_HOME, PLUGIN_PATH));
  assert.ok((statSync(PLUGIN_BIN).mode & 0o111) !== 0, "the plugin must be executable");
  assert.ok(readFileSync(PLUGIN_BIN, "utf8").startsWith("#!/usr/bin/env node\n"));
});
