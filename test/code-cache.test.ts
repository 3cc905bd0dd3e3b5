/**
 * The plugin's launcher (src/launch.ts) and V8's code cache: the first run writes the cache, later runs use it
 * and answer the same bytes; a broken cache file, a folder others can write to, or `off` never change the answer.
 * V8 runs a cache file made from other code of the same length, so a cache file someone planted is code: the
 * hostile cases plant one that would write a marker, and each must answer as without a cache, and never hang.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { kustomizeInput } from "./support/kustomize-input.ts";
import { PLUGIN_BIN, REPO_ROOT, run, type Run } from "./support/tools.ts";

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

/** Long enough for any run on a busy machine; a plugin that takes longer hangs. */
const HANG_GUARD_MS = 20_000;

/** The plugin as a real process in `cwd`, with only the cache settings given (none from the test's own environment). */
function guarded(settings: { STALWART_FN_CODE_CACHE?: string; TMPDIR?: string }, cwd = REPO_ROOT): Run {
  const env = { ...process.env, ...settings };
  if (settings.STALWART_FN_CODE_CACHE === undefined) delete env.STALWART_FN_CODE_CACHE;
  const result = spawnSync(PLUGIN_BIN, [config], { input: stream, env, cwd, encoding: "utf8", timeout: HANG_GUARD_MS, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.error, undefined, `the plugin hung or could not run: ${String(result.error)}`);
  assert.equal(result.signal, null, `the plugin was killed by ${String(result.signal)}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The name the plugin gives its cache file (this bundle, this Node.js), learnt from a run. */
const cacheName = (() => {
  const folder = join(scratch, "naming");
  plugin(folder);
  const [name] = readdirSync(folder);
  assert.ok(name, "the plugin wrote no cache file");
  return name;
})();

/**
 * Loaded before the plugin, replaces the launcher's compiling with writing the cache of another script of the
 * same length, which writes a marker and prints "planted".
 */
const PLANTER = `
const vm = require("node:vm");
const { writeFileSync } = require("node:fs");
const Compiler = vm.Script;
vm.Script = class extends Compiler {
  constructor(source, options) {
    const head = "(function (exports, require) {require('node:fs').writeFileSync(" + JSON.stringify(process.env.MARKER) + ", 'ran'); process.stdout.write('planted\\\\n');";
    const planted = new Compiler(head.padEnd(source.length - 2) + "})", options);
    writeFileSync(process.env.PLANT, planted.createCachedData(), { mode: 0o600 });
    process.exit(0);
  }
};
`;
const planter = join(scratch, "planter.cjs");
writeFileSync(planter, PLANTER);

/** Plants a cache file in `folder` that would write a marker; the marker's path. */
function plant(folder: string): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, cacheName);
  const marker = join(scratch, `ran-${folder.replace(/\W/g, "-")}`);
  // `node` as the plugin's #! line finds it: the cache must come from the same V8.
  const planting = spawnSync("node", ["--require", planter, PLUGIN_BIN], { env: { ...process.env, STALWART_FN_CODE_CACHE: "off", PLANT: file, MARKER: marker }, encoding: "utf8" });
  assert.equal(planting.status, 0, planting.stderr);
  chmodSync(file, 0o600);
  return marker;
}

/** The answer is the one without a cache, and the planted code did not run. */
function assertNotRun(answer: Run, marker: string): void {
  assert.deepEqual(answer, reference);
  assert.equal(existsSync(marker), false, "the planted cache ran");
}

test("control: a cache file planted in a folder that is the user's alone runs, so the cases below would show it", () => {
  const marker = plant(join(scratch, "sound"));
  const answer = guarded({ STALWART_FN_CODE_CACHE: join(scratch, "sound") });
  assert.equal(answer.stdout, "planted\n");
  assert.ok(existsSync(marker));
});

test("a cache folder that is a link is not used, even to a folder of the user's alone", () => {
  const marker = plant(join(scratch, "linked"));
  symlinkSync(join(scratch, "linked"), join(scratch, "link"));
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: join(scratch, "link") }), marker);
  assert.ok(lstatSync(join(scratch, "link")).isSymbolicLink(), "the link is left alone");
});

test("the working folder is never the cache: not as /proc/self/cwd, through a link to it, or as a relative path", () => {
  const work = join(scratch, "work");
  // The name of the default folder, so that a relative TMPDIR would find the planted file too.
  const name = `stalwart-krm-function-${process.getuid?.() ?? "user"}`;
  const marker = plant(join(work, name));
  symlinkSync("/proc/self/cwd", join(scratch, "to-cwd"));
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: "/proc/self/cwd" }, join(work, name)), marker);
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: join(scratch, "to-cwd", name) }, work), marker);
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: name }, work), marker);
  assertNotRun(guarded({ TMPDIR: "." }, work), marker);
});

test("a cache file that is a FIFO, or a link to /dev/zero, neither blocks nor runs: it is replaced", () => {
  const fifo = join(scratch, "fifo");
  mkdirSync(fifo, { mode: 0o700 });
  const made = spawnSync("mkfifo", [join(fifo, cacheName)]);
  assert.equal(made.status, 0, `mkfifo failed: ${String(made.error ?? made.stderr)}`);
  assert.deepEqual(guarded({ STALWART_FN_CODE_CACHE: fifo }), reference);
  assert.ok(lstatSync(join(fifo, cacheName)).isFile(), "the FIFO gave way to a cache file");

  const zero = join(scratch, "zero");
  mkdirSync(zero, { mode: 0o700 });
  symlinkSync("/dev/zero", join(zero, cacheName));
  assert.deepEqual(guarded({ STALWART_FN_CODE_CACHE: zero }), reference);
  assert.ok(lstatSync(join(zero, cacheName)).isFile(), "the link gave way to a cache file");
});

test("a cache file of another user, or one the group can write to, is not run", () => {
  const foreign = join(scratch, "foreign");
  const marker = plant(foreign);
  // The tests run as root (CI and the development container), the one user that can give a file away.
  chownSync(join(foreign, cacheName), 12345, 12345);
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: foreign }), marker);

  const shared = join(scratch, "shared-file");
  const sharedMarker = plant(shared);
  chmodSync(join(shared, cacheName), 0o620);
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: shared }), sharedMarker);
});

test("a cache file in a folder the group can write to is not run", () => {
  const folder = join(scratch, "group");
  const marker = plant(folder);
  chmodSync(folder, 0o770);
  assertNotRun(guarded({ STALWART_FN_CODE_CACHE: folder }), marker);
});

test("a TMPDIR in /proc, /sys or /dev neither hangs nor fails the run", () => {
  for (const folder of ["/proc/self", "/proc/self/fd", "/sys", "/dev"]) assert.deepEqual(guarded({ TMPDIR: folder }), reference, folder);
});

test("a failed run's cache, which lacks most of the function, is kept apart and used only until a run succeeds", () => {
  const folder = join(scratch, "failed-first");
  const partialName = cacheName.replace(/\.v8$/, ".partial.v8");
  const fail = () => run(PLUGIN_BIN, [config], { input: "", env: { ...process.env, STALWART_FN_CODE_CACHE: folder } });
  const failed = fail();
  assert.equal(failed.status, 1, "an empty stream fails the run");
  assert.deepEqual(readdirSync(folder), [partialName], "the failed run writes its cache apart");
  const partialWritten = statSync(join(folder, partialName)).mtimeMs;
  assert.deepEqual(fail(), failed);
  assert.equal(statSync(join(folder, partialName)).mtimeMs, partialWritten, "a failed run that used the partial cache does not write it again");
  assert.deepEqual(plugin(folder), reference);
  assert.deepEqual(readdirSync(folder).sort(), [cacheName, partialName].sort(), "the first run that succeeds writes the complete cache");
  const completeWritten = statSync(join(folder, cacheName)).mtimeMs;
  assert.deepEqual(fail(), failed);
  assert.deepEqual(plugin(folder), reference);
  assert.equal(statSync(join(folder, cacheName)).mtimeMs, completeWritten, "the complete cache is not written again, by a failed run or a successful one");
  assert.equal(statSync(join(folder, partialName)).mtimeMs, partialWritten);
});
