import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlugin, PLUGIN_PATH } from "../scripts/build.ts";
import { PLUGIN_BIN, PLUGIN_HOME } from "./support/tools.ts";

test("the committed plugin bundle is what `npm run build` makes of the sources", async () => {
  const home = mkdtempSync(join(tmpdir(), "stalwart-plugin-"));
  try {
    const fresh = await buildPlugin(home);
    assert.ok(readFileSync(fresh).equals(readFileSync(PLUGIN_BIN)), "plugin/ is stale: run `npm run build` and commit plugin/");
    assert.equal(readFileSync(join(home, "package.json"), "utf8"), readFileSync(join(PLUGIN_HOME, "package.json"), "utf8"));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("the plugin is an executable node script at the path kustomize looks it up by", () => {
  assert.equal(PLUGIN_BIN, join(PLUGIN_HOME, PLUGIN_PATH));
  assert.ok((statSync(PLUGIN_BIN).mode & 0o111) !== 0, "the plugin must be executable");
  assert.ok(readFileSync(PLUGIN_BIN, "utf8").startsWith("#!/usr/bin/env node\n"));
});
