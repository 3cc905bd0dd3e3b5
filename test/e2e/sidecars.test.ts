/**
 * The components' shell sidecars, run from their own YAML as PID 1 (as in a pod): they stop on SIGTERM and
 * SIGINT instead of waiting out the kubelet's grace period.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { componentContainer, startAsPid1 } from "../support/sidecar.ts";

/** Long enough for the script to reach its sleep, where a script without a trap would stay. */
const SETTLE_MS = 300;
/** A hang guard, not a benchmark: without the trap the script never stops at all. */
const STOP_WITHIN_MS = 2000;

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`tls-reload: the tls-reloader script stops on ${signal} as PID 1`, async () => {
    const { command, env } = componentContainer("tls-reload", "reloader-patch.yaml", "tls-reloader");
    const dir = mkdtempSync(join(tmpdir(), "stalwart-reloader-"));
    try {
      writeFileSync(join(dir, "tls.crt"), "certificate\n");
      // An interval far beyond the guard: the script is inside its sleep when the signal arrives.
      const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, TLS_DIRECTORY: dir, URL: "http://127.0.0.1:9", INTERVAL: "30" });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      process.kill(sidecar.pid, signal);
      assert.equal(await sidecar.exit(STOP_WITHIN_MS), 0, sidecar.output());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
