/**
 * The ways to use the library other than `kubectl kustomize` with the plugin home, each with the real tool:
 * kpt fn render on the kpt package, standalone kustomize running the exec KRM function, the plugin installed
 * into the user's plugin home for an overlay elsewhere pulling remote bases, and the build as Argo CD's
 * repo-server does it.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { writeKptPackage } from "../../scripts/kpt-package.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { configToml, find, parseManifests } from "../support/manifests.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize, PLUGIN_BIN, REPO_ROOT, run, STANDALONE_KUSTOMIZE } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-consumers-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const golden = (name: string) => readFileSync(join(REPO_ROOT, "test/golden/overlays", `${name}.yaml`), "utf8");

/** Every file of a folder, by name. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file), "utf8")]));
}

/** Another application's object, with comments, quoting and styles a re-write could lose. */
const UNRELATED_FILE = `# A resource of another application: the function must leave it alone.
apiVersion: example.com/v1
kind: Widget
metadata:
  name: other-widget # trailing comment
  annotations:
    note: "yes" # quoted: YAML 1.1 reads a bare yes as true
spec:
  mode: "0644"
  list:
    - a
    - 'b'
  # a comment before a key
  flow: {a: 1, b: [x, y]}
  text: |
    line one
      indented line
`;

describe("kpt fn render on overlays/kpt", () => {
  /** A copy of the repository's package and plugin, laid out as in the repository, to render in. */
  function workspace(): string {
    const dir = mkdtempSync(join(scratch, "kpt-"));
    cpSync(join(REPO_ROOT, "overlays/kpt"), join(dir, "overlays/kpt"), { recursive: true });
    cpSync(join(REPO_ROOT, "plugin"), join(dir, "plugin"), { recursive: true });
    return dir;
  }
  const render = (dir: string, ...extra: string[]) => run("kpt", ["fn", "render", "overlays/kpt", "--allow-exec", ...extra], { cwd: dir });

  test("the committed package is what `npm run kpt-package` makes of the bases", () => {
    const fresh = join(scratch, "kpt-fresh");
    writeKptPackage(fresh);
    assert.deepEqual(snapshot(fresh), snapshot(join(REPO_ROOT, "overlays/kpt")), "overlays/kpt is stale: run `npm run kpt-package` and commit it");
  });

  test("rendering the committed package changes nothing, twice", () => {
    const dir = workspace();
    for (const round of [1, 2]) {
      const result = render(dir);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(snapshot(join(dir, "overlays/kpt")), snapshot(join(REPO_ROOT, "overlays/kpt")), `render ${round} changed the package`);
    }
  });

  test("comments and local-config files survive; generated objects get files of their own, and go when no longer generated", () => {
    const dir = workspace();
    const pkg = join(dir, "overlays/kpt");
    const deployment = join(pkg, "deployment-stalwart.yaml");
    writeFileSync(deployment, readFileSync(deployment, "utf8").replace("spec:\n", "spec:\n  # kept by kpt\n"));
    const config = join(pkg, "stalwartconfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace(/  tls:[\s\S]*$/, "  tls:\n    # an issuer of my own\n    issuerRef:\n      name: letsencrypt\n").replace("mail.example.com", "mx.example.org"));
    const widget = join(pkg, "widget-other.yaml");
    writeFileSync(widget, UNRELATED_FILE);
    const result = render(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(widget, "utf8"), UNRELATED_FILE, "a file the function does not own stays byte for byte");
    assert.match(readFileSync(deployment, "utf8"), /# kept by kpt/);
    assert.match(readFileSync(config, "utf8"), /# an issuer of my own/);
    const files = readdirSync(pkg);
    for (const kept of ["Kptfile", "stalwartconfig.yaml", "stalwartconfig-base-common.yaml", "stalwartconfig-base-single.yaml"]) assert.ok(files.includes(kept), kept);
    assert.ok(files.includes("certificate-stalwart-tls.yaml"));
    assert.equal(files.includes("issuer-stalwart-acme.yaml"), false, "the ACME issuer is no longer generated");
    assert.match(readFileSync(join(pkg, "configmap-stalwart.yaml"), "utf8"), /hostname = "mx\.example\.org"/);
    const objects = files.filter((file) => file.endsWith(".yaml")).flatMap((file) => parseManifests(readFileSync(join(pkg, file), "utf8")));
    assert.ok(objects.every((object) => !JSON.stringify(object.metadata.annotations ?? {}).includes("internal.config")));
  });

  test("the rendered package is valid: upstream schemas, field types, Pod Security restricted", async () => {
    const pkg = join(REPO_ROOT, "overlays/kpt");
    const objects = readdirSync(pkg)
      .filter((file) => file.endsWith(".yaml"))
      .flatMap((file) => parseManifests(readFileSync(join(pkg, file), "utf8")))
      .filter((object) => object.metadata.annotations?.["config.kubernetes.io/local-config"] !== "true");
    assert.deepEqual(await allSchemaProblems(objects), []);
    assert.deepEqual(typeProblems(objects), []);
    assert.deepEqual(objects.flatMap(restrictedViolations), []);
  });

  test("a bad setting fails the render with the field, and leaves the package as it was", () => {
    const dir = workspace();
    const config = join(dir, "overlays/kpt/stalwartconfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("hostname: mail.example.com", "hostname: mail.example.com\n  listeners:\n    smtp:\n      port: 70000"));
    const before = snapshot(join(dir, "overlays/kpt"));
    const result = render(dir, "--results-dir", join(dir, "results"));
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /spec\.listeners\.smtp\.port: must be from 1 to 65535, got 70000/);
    assert.deepEqual(snapshot(join(dir, "overlays/kpt")), before);
    const results = parse(readFileSync(join(dir, "results/results.yaml"), "utf8")) as { items: { results: { severity: string; field: { path: string }; file?: { path: string } }[] }[] };
    const error = results.items[0]?.results.find((item) => item.severity === "error");
    assert.equal(error?.field.path, "spec.listeners.smtp.port");
    assert.equal(error?.file?.path, "stalwartconfig.yaml");
  });
});

describe("standalone kustomize with the exec KRM function (overlays/exec-function)", () => {
  const bin = join(scratch, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(REPO_ROOT, "bin/stalwart-krm-function"), join(bin, "stalwart-krm-function"));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  delete env.KUSTOMIZE_PLUGIN_HOME;

  test("kustomize 4.5.4 --enable-alpha-plugins --enable-exec builds what overlays/single builds", () => {
    const version = run(STANDALONE_KUSTOMIZE, ["version"]);
    assert.match(version.stdout, /kustomize\/v4\.5\.4/);
    const build = run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", "--enable-exec", "overlays/exec-function"], { env });
    assert.equal(build.status, 0, build.stderr);
    assert.equal(build.stdout, golden("single"));
  });

  test("without --enable-exec, and under kubectl kustomize, the function is skipped without a word", () => {
    for (const build of [
      run(STANDALONE_KUSTOMIZE, ["build", "--enable-alpha-plugins", "overlays/exec-function"], { env }),
      run("kubectl", ["kustomize", "--enable-alpha-plugins", "overlays/exec-function"], { env }),
    ]) {
      assert.equal(build.status, 0, build.stderr);
      assert.doesNotMatch(build.stdout, /config\.toml: \|/, "the README's warning is still true: no config.toml was rendered");
    }
  });
});

describe("the plugin installed into the user's plugin home", () => {
  test("`npm run install-plugin` installs into $XDG_CONFIG_HOME/kustomize/plugin and into ~/.config/kustomize/plugin", () => {
    const xdg = join(scratch, "xdg");
    const byXdg = run("npm", ["run", "-s", "install-plugin"], { env: { ...process.env, XDG_CONFIG_HOME: xdg } });
    assert.equal(byXdg.status, 0, byXdg.stderr);
    const installed = join(xdg, "kustomize/plugin/stalwart.krm.example/v1alpha1/stalwartconfig/StalwartConfig");
    assert.ok(readFileSync(installed).equals(readFileSync(PLUGIN_BIN)));
    const home = join(scratch, "home");
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.XDG_CONFIG_HOME;
    const byHome = run("node", ["scripts/install-plugin.mjs"], { env });
    assert.equal(byHome.status, 0, byHome.stderr);
    assert.ok(readFileSync(join(home, ".config/kustomize/plugin/stalwart.krm.example/v1alpha1/stalwartconfig/StalwartConfig")).equals(readFileSync(PLUGIN_BIN)));
  });

  test("an overlay outside the repository, pulling base/cluster and components as remote bases, builds without KUSTOMIZE_PLUGIN_HOME", () => {
    const head = run("git", ["rev-parse", "HEAD"]).stdout.trim();
    const remote = (path: string) => `file://${REPO_ROOT}//${path}?ref=${head}`;
    const home = join(scratch, "user");
    const overlay = join(scratch, "my-mail");
    mkdirSync(overlay, { recursive: true });
    writeFileSync(
      join(overlay, "kustomization.yaml"),
      JSON.stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        namespace: "mail",
        resources: [remote("base/cluster")],
        components: [remote("overlays/components/fdb"), remote("overlays/components/tls-reload")],
        images: [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart", newTag: "v0.14.1-fdb" }],
        transformers: ["stalwartconfig.yaml"],
      }),
    );
    cpSync(join(REPO_ROOT, "overlays/cluster/stalwartconfig.yaml"), join(overlay, "stalwartconfig.yaml"));
    const env = { PATH: process.env.PATH, HOME: home };
    const install = run("node", [join(REPO_ROOT, "scripts/install-plugin.mjs")], { env });
    assert.equal(install.status, 0, install.stderr);
    const build = run("kubectl", ["kustomize", "--enable-alpha-plugins", overlay], { env, cwd: scratch });
    assert.equal(build.status, 0, build.stderr);
    const objects = parseManifests(build.stdout);
    assert.equal(find(objects, "StatefulSet").metadata.namespace, "mail");
    assert.equal(flattenToml(configToml(objects))["cluster.coordinator"], "nats");
    assert.equal(find(objects, "Certificate", "stalwart-tls").metadata.namespace, "mail");
  });
});

describe("Argo CD", () => {
  const install = kubectlKustomize("test/e2e/fixtures/argocd-install");
  const objects = install.status === 0 ? parseManifests(install.stdout) : [];
  const repoServer = () => (find(objects, "Deployment", "argocd-repo-server").spec as any).template.spec;

  test("the Application and the repo-server component validate against the upstream schemas", async () => {
    assert.equal(install.status, 0, install.stderr);
    const application = parseManifests(readFileSync(join(REPO_ROOT, "overlays/argocd/application.yaml"), "utf8"));
    assert.deepEqual(await allSchemaProblems([...application, ...objects]), []);
    assert.deepEqual(typeProblems([...application, ...objects]), []);
    assert.equal((find(objects, "ConfigMap", "argocd-cm").data as Record<string, string>)["kustomize.buildOptions"], "--enable-alpha-plugins");
  });

  test("the repo-server builds the Application's path as Argo CD does: fresh clone, its environment only, its build options", () => {
    const application = parse(readFileSync(join(REPO_ROOT, "overlays/argocd/application.yaml"), "utf8")) as { metadata: { name: string }; spec: { source: { path: string; targetRevision: string; repoURL: string }; destination: { namespace: string } } };
    // What the init container puts in place, by running its own script against stand-in folders.
    const pod = repoServer();
    const init = pod.initContainers.find((container: { name: string }) => container.name === "install-stalwart-plugin");
    const tools = join(scratch, "argocd/custom-tools");
    const archive = join(scratch, "argocd/plugin-archive");
    mkdirSync(tools, { recursive: true });
    mkdirSync(archive, { recursive: true });
    const configMap = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name.startsWith("stalwart-kustomize-plugin-")) as KubeObject & { binaryData: Record<string, string> };
    assert.ok(configMap, "the plugin ConfigMap, named with its content hash so the repo-server rolls when it changes");
    writeFileSync(join(archive, "StalwartConfig.gz"), Buffer.from(configMap.binaryData["StalwartConfig.gz"] as string, "base64"));
    assert.ok(gunzipSync(readFileSync(join(archive, "StalwartConfig.gz"))).equals(readFileSync(PLUGIN_BIN)), "the ConfigMap carries the committed plugin");
    const script = (init.command.at(-1) as string).replaceAll("/custom-tools", tools).replaceAll("/plugin-archive", archive).replace("cp /usr/local/bin/node", `cp ${process.execPath}`);
    const installed = run("/bin/sh", ["-ec", script]);
    assert.equal(installed.status, 0, installed.stderr);
    const container = pod.containers.find((candidate: { name: string }) => candidate.name === "argocd-repo-server");
    const pluginHome = (container.env as { name: string; value: string }[]).find((variable) => variable.name === "KUSTOMIZE_PLUGIN_HOME")?.value;
    assert.equal(pluginHome, "/custom-tools/kustomize-plugins");
    const bin = join(scratch, "argocd/usr-local-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(tools, "node"), join(bin, "node"));

    const clone = join(scratch, "argocd/repo");
    const cloned = run("git", ["clone", "--quiet", REPO_ROOT, clone]);
    assert.equal(cloned.status, 0, cloned.stderr);
    const revision = run("git", ["rev-parse", "HEAD"], { cwd: clone }).stdout.trim();
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: join(scratch, "argocd/home"),
      KUSTOMIZE_PLUGIN_HOME: pluginHome.replace("/custom-tools", tools),
      ARGOCD_APP_NAME: application.metadata.name,
      ARGOCD_APP_NAMESPACE: application.spec.destination.namespace,
      ARGOCD_APP_REVISION: revision,
      ARGOCD_APP_SOURCE_PATH: application.spec.source.path,
      ARGOCD_APP_SOURCE_REPO_URL: application.spec.source.repoURL,
      ARGOCD_APP_SOURCE_TARGET_REVISION: application.spec.source.targetRevision,
      KUBE_VERSION: "1.32",
      KUBE_API_VERSIONS: "v1,apps/v1,policy/v1,cert-manager.io/v1",
    };
    const options = (find(objects, "ConfigMap", "argocd-cm").data as Record<string, string>)["kustomize.buildOptions"]?.split(" ") ?? [];
    // Argo CD runs `kustomize build <path> <options>` from the repository root; kubectl's kustomize is the same code.
    const kubectl = run("sh", ["-c", "command -v kubectl"]).stdout.trim();
    const build = run(kubectl, ["kustomize", application.spec.source.path, ...options], { env, cwd: clone });
    assert.equal(build.status, 0, build.stderr);
    assert.equal(build.stdout, golden(relative("overlays", application.spec.source.path)));
  });
});
