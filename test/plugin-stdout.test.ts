/**
 * Output that does not all arrive fails the run: the plugin process, with a stdout whose reader is gone before
 * the output is written, must exit 1 and say so, not exit 0 with part of the objects.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { PLUGIN_BIN, REPO_ROOT } from "./support/tools.ts";
import { streamWithUnrelated } from "./support/unrelated.ts";

const config = join(REPO_ROOT, "overlays/single/stalwartconfig.yaml");
// Node.js gives a child a socket pair for stdio: far more than its buffer holds (about 200 KiB on Linux), so the
// plugin cannot finish writing unless someone reads.
const stream = streamWithUnrelated(2500, "overlays/single");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the plugin with the read end of its stdout (and of its stderr, if asked) closed at once. */
function runWithReaderGone(closeStderr: boolean): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(PLUGIN_BIN, [config], { env: { ...process.env, STALWART_FN_CODE_CACHE: "off" }, timeout: 20_000 });
    child.stdout.destroy();
    if (closeStderr) child.stderr.destroy();
    let stderr = "";
    if (!closeStderr) child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
    child.stdin.end(stream);
  });
}

test("the input is large enough that its output cannot fit in the buffer of stdout", () => {
  assert.ok(Buffer.byteLength(stream) > 512 * 1024, `${Buffer.byteLength(stream)} bytes`);
});

test("a stdout closed by its reader (EPIPE) fails the run with one error line, not exit 0 with part of the output", async () => {
  const exit = await runWithReaderGone(false);
  assert.equal(exit.signal, null, "the plugin hung and was killed");
  assert.equal(exit.code, 1, exit.stderr);
  assert.equal(exit.stderr, "[error] cannot write the output to stdout (EPIPE): the output is incomplete\n");
});

test("with stderr closed too, the plugin still exits 1 without hanging", async () => {
  const exit = await runWithReaderGone(true);
  assert.equal(exit.signal, null, "the plugin hung and was killed");
  assert.equal(exit.code, 1);
});
