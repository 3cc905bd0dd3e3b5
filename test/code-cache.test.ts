/**
 * The plugin's launcher (src/launch.ts) and V8's code cache: the first run writes the cache, later runs use it
 * and answer the same bytes; a broken cache file, a folder others can write to, or `off` never change the answer.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { kustomizeInput } from "./support/kustomize-input.ts";
import { PLUGIN_BIN, REPO_ROOT, run } from "./support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-code-cache-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const config = join(REPO_ROOT, "overlays/single/stalwartconfig.yaml");
const stream = kustomizeInput("overlays/single");
const plugin = (cache: string) => run(PLUGIN_BIN, [config], { input: stream, env: { ...process.env, STALWART_FN_CODE_CACHE: cache } });
const reference = plugin("off");

test("with the cache turned off the plugin answers", () => {
  assert.equal(reference.status, 0, reference.stderr);
  assert.match(reference.stdout, /kind: ConfigMap/);
});

test("the first run writes the cache for this bundle and Node.js; the next runs read it and answer the same", () => {
  const folder = join(scratch, "fresh");
  const first = plugin(folder);
  assert.deepEqual(first, reference);
  const files = readdirSync(folder);
  assert.equal(files.length, 1, `one cache file, got ${files.join(", ")}`);
  assert.match(files[0] ?? "", new RegExp(`^[0-9a-f]{16}-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.v8$`));
  const file = join(folder, files[0] ?? "");
  assert.equal(statSync(file).mode & 0o777, 0o600, "the cache is the user's alone");
  const written = statSync(file).mtimeMs;
  assert.deepEqual(plugin(folder), reference);
  assert.equal(statSync(file).mtimeMs, written, "a cache that was used is not written again");
});

test("a broken cache file is replaced, and the answer is the same", () => {
  const folder = join(scratch, "broken");
  plugin(folder);
  const [name] = readdirSync(folder);
  const file = join(folder, name ?? "");
  writeFileSync(file, "not V8 code at all");
  assert.deepEqual(plugin(folder), reference);
  assert.notEqual(readFileSync(file, "utf8"), "not V8 code at all", "the rejected cache is written anew");
  assert.deepEqual(plugin(folder), reference);
});

test("a cache folder that others can write to is not used", () => {
  const folder = join(scratch, "shared");
  mkdirSync(folder);
  chmodSync(folder, 0o777);
  assert.deepEqual(plugin(folder), reference);
  assert.deepEqual(readdirSync(folder), [], "nothing is read from or written to a folder others can write to");
});

test("a cache folder that cannot be made only costs the cache", () => {
  const blocked = join(scratch, "a-file");
  writeFileSync(blocked, "");
  assert.deepEqual(plugin(join(blocked, "cache")), reference);
});
