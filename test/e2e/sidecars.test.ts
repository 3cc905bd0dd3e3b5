/**
 * The components' shell sidecars, run from their own YAML as PID 1 (as in a pod): they stop on SIGTERM and
 * SIGINT instead of waiting out the kubelet's grace period, and the tracer's log pruner keeps its volume bounded.
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { componentContainer, startAsPid1 } from "../support/sidecar.ts";

/** Long enough for the script to reach its sleep, where a script without a trap would stay. */
const SETTLE_MS = 300;
/** A hang guard, not a benchmark: without the trap the script never stops at all. */
const STOP_WITHIN_MS = 2000;

for (const [signal, interval] of [["SIGTERM", "30"], ["SIGINT", "30"], ["SIGTERM", "0.05"]] as const) {
  test(`tls-reload: the tls-reloader script stops on ${signal} as PID 1, checking every ${interval} s`, async () => {
    const { command, env } = componentContainer("tls-reload", "tls-reloader.yaml", "tls-reloader");
    const dir = mkdtempSync(join(tmpdir(), "stalwart-reloader-"));
    try {
      writeFileSync(join(dir, "tls.crt"), "certificate\n");
      // A long interval: the script is inside its sleep when the signal arrives. A short one: anywhere in its loop.
      const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, TLS_DIRECTORY: dir, URL: "http://127.0.0.1:9", INTERVAL: interval });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      process.kill(sidecar.pid, signal);
      assert.equal(await sidecar.exit(STOP_WITHIN_MS), 0, sidecar.output());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const [signal, interval] of [["SIGTERM", "30"], ["SIGINT", "30"], ["SIGTERM", "0.05"]] as const) {
  test(`tracer: the log-pruner script stops on ${signal} as PID 1, pruning every ${interval} s`, async () => {
    const { command, env } = componentContainer("tracer", "log-volume.yaml", "log-pruner");
    const dir = mkdtempSync(join(tmpdir(), "stalwart-logs-"));
    try {
      writeFileSync(join(dir, "stalwart.log.2026-11-01"), "line\n");
      const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, LOG_DIRECTORY: dir, INTERVAL: interval });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      process.kill(sidecar.pid, signal);
      assert.equal(await sidecar.exit(STOP_WITHIN_MS), 0, sidecar.output());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function until(condition: () => boolean, what: string, output: () => string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 5000) throw new Error(`timed out waiting until ${what}; the pruner said: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("tracer: the log-pruner removes the oldest files past MAX_FILES and MAX_BYTES, and empties the one Stalwart writes last", async () => {
  const { command, env } = componentContainer("tracer", "log-volume.yaml", "log-pruner");
  assert.equal(env.LOG_DIRECTORY, "/var/log/stalwart");
  assert.ok(Number(env.MAX_BYTES) < 1024 ** 3, "MAX_BYTES stays under the volume's sizeLimit of 1Gi");
  const dir = mkdtempSync(join(tmpdir(), "stalwart-logs-"));
  // Named as Stalwart names daily files: prefix, then the date.
  const day = (n: number) => `stalwart.log.2026-11-${String(n).padStart(2, "0")}`;
  for (let n = 1; n <= 5; n++) writeFileSync(join(dir, day(n)), "x".repeat(400));
  // The file Stalwart writes, opened for appending as Stalwart opens it (log.rs: OpenOptions append).
  const current = openSync(join(dir, day(5)), "a");
  const files = () => readdirSync(dir).sort();
  const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, LOG_DIRECTORY: dir, MAX_BYTES: "1000", MAX_FILES: "3", INTERVAL: "0.1" });
  try {
    // Three files at most, then 1,000 bytes at most: 2026-11-01, -02 (count) and -03 (size) go.
    await until(() => files().length === 2, "two files remain", sidecar.output);
    assert.deepEqual(files(), [day(4), day(5)]);
    // A noisy hour: the current file alone passes the limit. The older one goes, then the current one is emptied.
    writeSync(current, "y".repeat(1600));
    await until(() => files().length === 1 && statSync(join(dir, day(5))).size === 0, "the current file is emptied", sidecar.output);
    // Stalwart's next line lands at the start of the emptied file, not after a hole of the old length.
    writeSync(current, "next line\n");
    assert.equal(readFileSync(join(dir, day(5)), "utf8"), "next line\n");
    assert.match(sidecar.output(), /removed .*2026-11-01 \(400 bytes\)/);
    assert.match(sidecar.output(), /emptied .*2026-11-05/);
    process.kill(sidecar.pid, "SIGTERM");
    assert.equal(await sidecar.exit(STOP_WITHIN_MS), 0, sidecar.output());
  } finally {
    sidecar.kill();
    closeSync(current);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tracer: the log-pruner leaves a volume within its limits alone", async () => {
  const { command, env } = componentContainer("tracer", "log-volume.yaml", "log-pruner");
  const dir = mkdtempSync(join(tmpdir(), "stalwart-logs-"));
  for (const name of ["stalwart.log.2026-11-01", "stalwart.log.2026-11-02"]) writeFileSync(join(dir, name), "line\n");
  const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, LOG_DIRECTORY: dir, INTERVAL: "0.1" });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(readdirSync(dir).sort(), ["stalwart.log.2026-11-01", "stalwart.log.2026-11-02"]);
    assert.equal(sidecar.output(), "");
  } finally {
    sidecar.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A stand-in for Stalwart 0.16's JMAP endpoint: records each request, answers with `reply`. */
async function jmapServer(reply: (body: string) => string): Promise<{ url: string; requests: { path: string; auth?: string; body: string }[]; close(): Promise<void> }> {
  const { createServer } = await import("node:http");
  const requests: { path: string; auth?: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      requests.push({ path: request.url ?? "", ...(request.headers.authorization ? { auth: request.headers.authorization } : {}), body });
      response.writeHead(200, { "content-type": "application/json" }).end(reply(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const [outcome, reply, logged] of [
  ["created", '{"methodResponses":[["x:Action/set",{"created":{"reload":{"id":"a"}}},"0"]],"sessionState":"x"}', /reloaded the certificate/],
  ["notCreated", '{"methodResponses":[["x:Action/set",{"notCreated":{"reload":{"type":"forbidden"}}},"0"]],"sessionState":"x"}', /did not reload the certificate: .*forbidden/],
] as const) {
  test(`tls-reload on 0.16: a changed certificate creates the ReloadTlsCertificates action over JMAP (${outcome})`, async () => {
    const { command, env } = componentContainer("tls-reload", "tls-reloader.yaml", "tls-reloader");
    const dir = mkdtempSync(join(tmpdir(), "stalwart-reloader-"));
    const server = await jmapServer(() => reply);
    try {
      writeFileSync(join(dir, "tls.crt"), "first\n");
      const sidecar = await startAsPid1(command, { PATH: process.env.PATH, ...env, TLS_DIRECTORY: dir, URL: server.url, INTERVAL: "0.05", RELOAD_API: "jmap", CREDENTIALS: "admin:secret" });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      assert.equal(server.requests.length, 0, "nothing changed yet, so nothing is reloaded");
      writeFileSync(join(dir, "tls.crt"), "renewed\n");
      for (let waited = 0; server.requests.length === 0 && waited < STOP_WITHIN_MS; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 150));
      process.kill(sidecar.pid, "SIGTERM");
      assert.equal(await sidecar.exit(STOP_WITHIN_MS), 0, sidecar.output());
      const [first] = server.requests;
      assert.ok(first, sidecar.output());
      assert.equal(first.path, "/jmap/");
      assert.equal(first.auth, `Basic ${Buffer.from("admin:secret").toString("base64")}`);
      assert.deepEqual(JSON.parse(first.body).methodCalls, [["x:Action/set", { create: { reload: { "@type": "ReloadTlsCertificates" } } }, "0"]]);
      // Reloaded once when Stalwart created the action; tried again every interval when it did not.
      if (outcome === "created") assert.equal(server.requests.length, 1, sidecar.output());
      else assert.ok(server.requests.length > 1, sidecar.output());
      assert.match(sidecar.output(), logged);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
