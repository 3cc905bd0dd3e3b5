/**
 * Messages reach the user intact, on every consumer, with the real tools: warnings fail a kubectl build
 * unless acknowledged (kustomize discards a plugin's stderr on success), `%` survives kustomize 5's printf and
 * is not doubled for kustomize 4, which prints the plugin's stderr as it is, kustomize 4.5.4 with the plugin
 * home is told that it drops the bases' fragments, and kpt shows an acknowledged warning as an info.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { configToml, parseManifests } from "../support/manifests.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { execFunctionEnv, kubectlKustomize, PLUGIN_HOME, REPO_ROOT, run, STANDALONE_KUSTOMIZE } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-messages-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const POP3_OFF = "  listeners:\n    pop3:\n      enabled: false\n";
const ACKNOWLEDGED = "  acknowledgeWarnings: [listener-port-unused]\n";
const SECRET = "  extraConfig:\n    authentication.master.secret: correct-horse-battery-staple\n";

/** An overlay in the scratch folder on a base of the repository, with the user's spec lines. */
function overlay(name: string, base: string, specLines: string, extra: Record<string, unknown> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "stalwartconfig.yaml"), `apiVersion: stalwart.krm.example/v1alpha1\nkind: StalwartConfig\nmetadata:\n  name: stalwart\nspec:\n  version: "0.15"\n  hostname: mail.example.com\n${specLines}`);
  // Kustomize takes no absolute paths: the repository is reached relatively from the scratch folder.
  writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify({ resources: [relative(dir, join(REPO_ROOT, base))], transformers: ["stalwartconfig.yaml"], ...extra }));
  return dir;
}

describe("warnings under kubectl kustomize", () => {
  test("an unacknowledged warning fails the build with its code and how to acknowledge it", () => {
    const build = kubectlKustomize(overlay("pop3-off", "base/single", POP3_OFF));
    assert.equal(build.status, 1);
    assert.equal(build.stdout, "");
    assert.match(build.stderr, /container port "pop3" belongs to listener "pop3", which is disabled/);
    assert.match(build.stderr, /warning `listener-port-unused`: if this is what you want, add "listener-port-unused" to `spec\.acknowledgeWarnings`/);
  });

  test("acknowledged, the same overlay builds, with POP3 out of config.toml and nothing on stderr", () => {
    const build = kubectlKustomize(overlay("pop3-off-acknowledged", "base/single", POP3_OFF + ACKNOWLEDGED));
    assert.equal(build.status, 0, build.stderr);
    assert.equal(build.stderr, "");
    const flat = flattenToml(configToml(parseManifests(build.stdout)));
    assert.equal(flat["server.listener.pop3.bind"], undefined);
    assert.equal(flat["server.listener.smtp.protocol"], "smtp");
  });

  test("a misspelt code is refused with a did-you-mean", () => {
    const build = kubectlKustomize(overlay("typo", "base/single", `${POP3_OFF}  acknowledgeWarnings: [listener-port-unsed]\n`));
    assert.equal(build.status, 1);
    assert.match(build.stderr, /spec\.acknowledgeWarnings\[0\]: must be one of .*, got "listener-port-unsed"; did you mean `listener-port-unused`\?/);
  });
});

describe("percent signs in messages", () => {
  test("kubectl kustomize (kustomize 5 formats the stderr of a failed plugin) shows `%{env:NAME}%` intact", () => {
    const build = kubectlKustomize(overlay("secret-kubectl", "base/single", SECRET));
    assert.equal(build.status, 1);
    assert.ok(build.stderr.includes("write `%{env:NAME}%` or `%{file:/path}%` in its place"), build.stderr);
    assert.doesNotMatch(build.stderr, /%!|%%/);
  });

  test("kustomize 4.5.4 with the plugin home (stderr passed through) shows it intact, not doubled", () => {
    // kustomize 4 drops the bases' fragments, so this StalwartConfig repeats them, as overlays/exec-function does.
    const bases = ["base/common", "base/single"].map((base) => readFileSync(join(REPO_ROOT, base, "stalwartconfig.yaml"), "utf8").split("\nspec:\n")[1] ?? "");
    const dir = overlay("secret-kustomize4", "base/single", bases.join("") + SECRET);
    const build = run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", dir], { env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: PLUGIN_HOME } });
    assert.notEqual(build.status, 0);
    assert.ok(build.stderr.includes("write `%{env:NAME}%` or `%{file:/path}%` in its place"), build.stderr);
    assert.doesNotMatch(build.stderr, /%!|%%/);
  });
});

describe("kustomize 4.5.4 with the plugin home", () => {
  test("on a ready overlay it says that kustomize 5 is needed, not that `spec.listeners` is required", () => {
    const build = run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", "overlays/single"], { env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: PLUGIN_HOME } });
    assert.notEqual(build.status, 0);
    assert.match(build.stderr, /kustomize 5 or later is needed \(4\.x drops the bases' settings fragments\); use kubectl 1\.27 or later or kustomize 5 or later, or, for kustomize 4\.5\.4, the exec-function overlay/);
    assert.doesNotMatch(build.stderr, /is required/);
  });
});

describe("kustomize's own message for a transformer file of another apiVersion or kind", () => {
  test("is the one the errors table of docs/errors.md explains", () => {
    const dir = overlay("wrong-api-version", "base/single", "");
    const config = join(dir, "stalwartconfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("stalwart.krm.example/v1alpha1", "stalwart.krm.example/v1"));
    const build = kubectlKustomize(dir);
    assert.equal(build.status, 1);
    assert.match(build.stderr, /expected file with Go object code at: .*\/plugin\/stalwart\.krm\.example\/v1\/stalwartconfig\/StalwartConfig\.so/);
    assert.ok(readFileSync(join(REPO_ROOT, "docs/errors.md"), "utf8").includes("| `expected file with Go object code at: .../plugin/stalwart.krm.example/v1/stalwartconfig/StalwartConfig.so` |"));
  });
});

describe("components patch containers[0], which must be the stalwart container", () => {
  const FDB_IMAGE = [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart", newTag: "v0.15.5-fdb" }];
  const FDB = "  storage:\n    backend: foundationdb\n";
  const CLUSTER = `${FDB}  cluster:\n    nats:\n      addresses: [nats://nats:4222]\n`;
  const errors = readFileSync(join(REPO_ROOT, "docs/errors.md"), "utf8");
  /** A strategic-merge patch of the workload's pod; a container or volume it adds goes first. */
  const podPatch = (kind: string, pod: Record<string, unknown>) => ({ patch: stringify({ apiVersion: "apps/v1", kind, metadata: { name: "stalwart" }, spec: { template: { spec: pod } } }) });
  const SIDECAR = { name: "sidecar", image: "busybox", env: [{ name: "MODE", value: "x" }], volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] };

  /** The base with the patch in a layer of its own, and the fdb component in the overlay above it. */
  function belowFdb(name: string, base: string, patch: object, specLines: string): string {
    const lower = join(scratch, `${name}-lower`);
    mkdirSync(lower, { recursive: true });
    writeFileSync(join(lower, "kustomization.yaml"), JSON.stringify({ resources: [relative(lower, join(REPO_ROOT, base))], patches: [patch] }));
    const dir = overlay(name, base, specLines, { components: [relative(join(scratch, name), join(REPO_ROOT, "overlays/components/fdb"))], images: FDB_IMAGE });
    writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")), resources: [relative(dir, lower)] }));
    return dir;
  }

  test("a component that patched a container put first below it fails the build, naming the component and the fix", () => {
    const build = kubectlKustomize(belowFdb("sidecar-below", "base/cluster", podPatch("StatefulSet", { containers: [SIDECAR] }), CLUSTER));
    assert.equal(build.status, 1);
    assert.match(build.stderr, /StatefulSet\/stalwart spec\.template\.spec\.containers\[name=sidecar\]: the component "fdb" added its variable FDB_CLUSTER_FILE and volume mount "dynamic-conf" to this container instead of "stalwart": .*and "stalwart" is containers\[1\]; keep "stalwart" first below the components, and add your own containers after it/);
    assert.doesNotMatch(build.stderr, /add the component overlays\/components\/fdb/, "no advice that the checks would give for a workload without the component");
    assert.ok(errors.includes('| `the component "fdb" added its variable FDB_CLUSTER_FILE'));
  });

  test("the same strategic-merge patch in the overlay that lists the components runs after them, and builds", () => {
    const fdb = relative(join(scratch, "sidecar-after"), join(REPO_ROOT, "overlays/components/fdb"));
    const build = kubectlKustomize(overlay("sidecar-after", "base/cluster", CLUSTER, { components: [fdb], images: FDB_IMAGE, patches: [podPatch("StatefulSet", { containers: [SIDECAR] })] }));
    assert.equal(build.status, 0, build.stderr);
    const pod = (parseManifests(build.stdout).find((object) => object.kind === "StatefulSet")?.spec as any).template.spec;
    assert.deepEqual(pod.containers.map((container: { name: string }) => container.name), ["sidecar", "stalwart"]);
    assert.ok(pod.containers[1].env.some((variable: { name: string }) => variable.name === "FDB_CLUSTER_FILE"));
  });

  test("kustomize's own messages when an index holds something else are the ones the errors table of docs/errors.md explains", () => {
    // fdb removes base/single's RocksDB volume at index 3, only if it is there: a volume put first moves it.
    const moved = kubectlKustomize(belowFdb("volume-first", "base/single", podPatch("Deployment", { volumes: [{ name: "scratch", emptyDir: {} }] }), FDB));
    assert.equal(moved.status, 1);
    assert.match(moved.stderr, /testing value \/spec\/template\/spec\/volumes\/3\/name failed/);
    assert.ok(errors.includes("| `testing value /spec/template/spec/volumes/3/name failed` |"));
    // A container put first without the lists the components append to.
    const bare = kubectlKustomize(belowFdb("sidecar-bare", "base/cluster", podPatch("StatefulSet", { containers: [{ name: "sidecar", image: "busybox" }] }), CLUSTER));
    assert.equal(bare.status, 1);
    assert.match(bare.stderr, /add operation does not apply: doc is missing path: [\\"]*\/spec\/template\/spec\/containers\/0\/(volumeMounts|env)\/-[\\"]*: missing value/);
    assert.ok(errors.includes("| `add operation does not apply: doc is missing path: \"/spec/template/spec/containers/0/env/-\"` |"));
  });
});

describe("exec KRM function under kustomize 4.5.4", () => {
  test("an unacknowledged warning fails the build with its code; acknowledged, it builds", () => {
    const env = execFunctionEnv(scratch);
    const config = readFileSync(join(REPO_ROOT, "overlays/exec-function/stalwartconfig.yaml"), "utf8");
    const build = (name: string, lines: string) => {
      const dir = join(scratch, name);
      mkdirSync(dir);
      writeFileSync(join(dir, "stalwartconfig.yaml"), config.replace("\n    pop3:\n", "\n    pop3:\n      enabled: false\n") + lines);
      writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify({
        resources: [relative(dir, join(REPO_ROOT, "base/single"))],
        components: [relative(dir, join(REPO_ROOT, "overlays/components/tls-reload"))],
        transformers: ["stalwartconfig.yaml"],
      }));
      return run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", "--enable-exec", dir], { env });
    };
    const refused = build("exec-pop3-off", "");
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /warning `listener-port-unused`/);
    const acknowledged = build("exec-pop3-off-acknowledged", ACKNOWLEDGED);
    assert.equal(acknowledged.status, 0, acknowledged.stderr);
    assert.match(acknowledged.stdout, /config\.toml: \|/);
  });
});

describe("kpt fn render", () => {
  function render(specLines: string): { status: number; stderr: string; results: { severity: string; message: string; tags?: Record<string, string> }[] } {
    const dir = mkdtempSync(join(scratch, "kpt-"));
    cpSync(join(REPO_ROOT, "overlays/kpt"), join(dir, "overlays/kpt"), { recursive: true });
    cpSync(join(REPO_ROOT, "plugin"), join(dir, "plugin"), { recursive: true });
    const config = join(dir, "overlays/kpt/stalwartconfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("hostname: mail.example.com\n", `hostname: mail.example.com\n${specLines}`));
    const result = run("kpt", ["fn", "render", "overlays/kpt", "--allow-exec", "--results-dir", join(dir, "results")], { cwd: dir });
    const list = parse(readFileSync(join(dir, "results/results.yaml"), "utf8")) as { items: { results?: { severity: string; message: string; tags?: Record<string, string> }[] }[] };
    return { status: result.status, stderr: result.stderr, results: list.items.flatMap((item) => item.results ?? []) };
  }

  test("a failing render shows each problem once under Results and once under Stderr, as docs/kpt.md explains", () => {
    const refused = render("  tracer:\n    consol:\n      level: debug\n");
    assert.notEqual(refused.status, 0);
    const problem = "spec.tracer.consol: unknown field `consol`; did you mean `console`?";
    assert.equal(refused.results.filter((result) => result.severity === "error" && problem.endsWith(result.message)).length, 1, JSON.stringify(refused.results));
    const [results, stderr] = refused.stderr.split(/^\s*Stderr:$/m);
    assert.ok(stderr !== undefined, refused.stderr);
    assert.equal(results?.split(problem).length, 2, refused.stderr);
    assert.equal(stderr.split(problem).length, 2, refused.stderr);
    assert.ok(readFileSync(join(REPO_ROOT, "docs/kpt.md"), "utf8").includes("## Why each error appears twice"));
  });

  test("an unacknowledged warning fails the render; acknowledged, it is an info kpt shows", () => {
    const refused = render(POP3_OFF);
    assert.notEqual(refused.status, 0);
    assert.ok(refused.results.some((result) => result.severity === "error" && result.tags?.warning === "listener-port-unused"), JSON.stringify(refused.results));
    const acknowledged = render(POP3_OFF + ACKNOWLEDGED);
    assert.equal(acknowledged.status, 0, acknowledged.stderr);
    assert.ok(acknowledged.results.some((result) => result.severity === "info" && result.message.startsWith("acknowledged warning `listener-port-unused`")));
    assert.match(acknowledged.stderr, /\[info\] .*acknowledged warning `listener-port-unused`/);
  });
});
