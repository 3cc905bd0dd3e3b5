/**
 * The ways to use the library other than `kubectl kustomize` with the plugin home, each with the real tool:
 * kpt fn render on the kpt package, standalone kustomize running the exec KRM function, the plugin installed
 * into the user's plugin home for an overlay elsewhere pulling remote bases, and the build as Argo CD's
 * repo-server's Config Management Plugin sidecar does it.
 */
import assert from "node:assert/strict";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { KubeObject } from "../../src/kube.ts";
import { writeKptPackage } from "../../scripts/kpt-package.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { configToml, find, parseManifests } from "../support/manifests.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { typeProblems } from "../support/typed-models.ts";
import { execFunctionEnv, kubectlKustomize, PLUGIN_BIN, REPO_ROOT, run, STANDALONE_KUSTOMIZE } from "../support/tools.ts";

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
  const env = execFunctionEnv(scratch);

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
        images: [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart", newTag: "v0.15.5-fdb" }],
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

describe("Argo CD: the stalwart-kustomize Config Management Plugin sidecar", () => {
  const install = kubectlKustomize("test/e2e/fixtures/argocd-install");
  const objects = install.status === 0 ? parseManifests(install.stdout) : [];
  const application = parse(readFileSync(join(REPO_ROOT, "overlays/argocd/application.yaml"), "utf8")) as IApplication;
  const deployment = () => find(objects, "Deployment", "argocd-repo-server") as KubeObject & IDeployment;
  const podSpec = (): IPodSpec => {
    const spec = deployment().spec?.template.spec;
    assert.ok(spec, "the repo-server has a pod template");
    return spec;
  };
  const container = (containers: IContainer[] | undefined, name: string): IContainer => {
    const found = containers?.find((candidate) => candidate.name === name);
    assert.ok(found, `no container ${name}`);
    return found;
  };
  /** The ConfigMap the component generates: the gzipped plugin, plugin.yaml and generate.sh. */
  const pluginConfigMap = () => {
    const found = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name.startsWith("stalwart-kustomize-plugin-"));
    assert.ok(found, "the plugin ConfigMap, named with its content hash so the repo-server rolls when it changes");
    return found as KubeObject & { data: Record<string, string>; binaryData: Record<string, string> };
  };
  interface PluginConfig {
    metadata: { name: string };
    spec: { generate: { command: string[]; args?: string[] }; discover?: unknown; preserveFileMode?: boolean; provideGitCreds?: boolean };
  }
  const pluginConfig = () => parse(pluginConfigMap().data["plugin.yaml"] as string) as PluginConfig;
  const sidecar = () => container(podSpec().containers, "stalwart-cmp");
  /** Where a volume is mounted in a container. */
  const mountPath = (of: IContainer, volume: string, subPath?: string) => {
    const mount = of.volumeMounts?.find((candidate) => candidate.name === volume && candidate.subPath === subPath);
    assert.ok(mount, `${of.name} mounts ${volume}${subPath ? `/${subPath}` : ""}`);
    return mount.mountPath;
  };

  test("the Application and the component validate against the upstream schemas; argocd-cm keeps plugins off", async () => {
    assert.equal(install.status, 0, install.stderr);
    const applications = parseManifests(readFileSync(join(REPO_ROOT, "overlays/argocd/application.yaml"), "utf8"));
    assert.deepEqual(await allSchemaProblems([...applications, ...objects]), []);
    assert.deepEqual(typeProblems([...applications, ...objects]), []);
    const argocdCm = find(objects, "ConfigMap", "argocd-cm");
    const installed = parseManifests(readFileSync(join(REPO_ROOT, "test/e2e/fixtures/argocd-install/argocd-cm.yaml"), "utf8"))[0];
    assert.deepEqual(argocdCm.data, installed?.data, "the component leaves argocd-cm as the installation has it");
    for (const [key, value] of Object.entries((argocdCm.data as Record<string, string> | undefined) ?? {})) assert.doesNotMatch(value, /--enable-alpha-plugins/, key);
    assert.equal(application.spec?.source?.plugin?.name, pluginConfig().metadata.name, "the Application names the plugin");
    assert.equal(application.spec?.source?.kustomize, undefined);
  });

  test("plugin.yaml: reached only by name, no credentials, file modes reset, generate.sh as its command", () => {
    const config = pluginConfig();
    assert.equal(config.spec.discover, undefined, "a discover rule would offer the plugin to Applications that do not name it");
    assert.equal(config.spec.preserveFileMode, false);
    assert.equal(config.spec.provideGitCreds, false);
    assert.deepEqual(config.spec.generate.command, ["/bin/sh", `${mountPath(sidecar(), "stalwart-kustomize-plugin")}/generate.sh`]);
    assert.equal(mountPath(sidecar(), "stalwart-kustomize-plugin", "plugin.yaml"), "/home/argocd/cmp-server/config/plugin.yaml");
    assert.ok(gunzipSync(Buffer.from(pluginConfigMap().binaryData["StalwartConfig.gz"] as string, "base64")).equals(readFileSync(PLUGIN_BIN)), "the ConfigMap carries the committed plugin");
  });

  test("the sidecar runs argocd-cmp-server as uid 999 with its own /tmp, no credentials, Pod Security restricted, images pinned by digest", () => {
    const spec = podSpec();
    const cmp = sidecar();
    assert.deepEqual(cmp.command, ["/var/run/argocd/argocd-cmp-server"]);
    assert.equal(cmp.securityContext?.runAsNonRoot, true);
    assert.equal(cmp.securityContext?.runAsUser, 999);
    assert.equal(cmp.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(mountPath(cmp, "var-files"), "/var/run/argocd");
    assert.equal(mountPath(cmp, "plugins"), "/home/argocd/cmp-server/plugins");
    const mounted = new Set((cmp.volumeMounts ?? []).map((mount) => mount.name));
    assert.deepEqual([...mounted].sort(), ["plugins", "stalwart-cmp-tmp", "stalwart-kustomize-plugin", "stalwart-tools", "var-files"]);
    for (const credentials of ["ssh-known-hosts", "tls-certs", "gpg-keys", "gpg-keyring", "argocd-repo-server-tls", "tmp", "helm-working-dir"]) {
      assert.ok(spec.volumes?.some((volume) => volume.name === credentials), `the stand-in installation has ${credentials}`);
      assert.equal(mounted.has(credentials), false, `the sidecar must not mount the repo-server's ${credentials}`);
    }
    const tmp = cmp.volumeMounts?.find((mount) => mount.mountPath === "/tmp");
    assert.ok(spec.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir, "/tmp is an emptyDir of the sidecar's own");
    for (const volume of spec.volumes ?? []) if (mounted.has(volume.name)) assert.equal(volume.secret ?? volume.projected, undefined, `${volume.name} is no Secret`);
    assert.equal(cmp.envFrom, undefined);
    assert.ok((cmp.env ?? []).every((variable) => variable.valueFrom === undefined), "no variable from a Secret or ConfigMap");
    assert.equal(spec.automountServiceAccountToken, false, "no service account token in the pod");
    assert.notEqual(spec.shareProcessNamespace, true, "the repo-server's processes, also uid 999, stay out of the sidecar's sight");
    for (const pinned of [cmp, container(spec.initContainers, "install-stalwart-plugin")]) assert.match(pinned.image ?? "", /^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$/, `${pinned.name} is pinned by digest`);
    assert.deepEqual(restrictedViolations(deployment()), []);
  });

  /** The sidecar's tool folder, filled by the init container's own script against stand-in folders. */
  const tools = join(scratch, "argocd/stalwart-tools");
  const cmpFiles = join(scratch, "argocd/stalwart-cmp");
  const workDir = join(scratch, "argocd/_cmp_server");
  const local = (path: string) => path.replaceAll("/stalwart-tools", tools).replaceAll("/stalwart-cmp", cmpFiles);
  let installed = false;
  function installTools(): void {
    if (installed) return;
    const data = pluginConfigMap();
    mkdirSync(cmpFiles, { recursive: true });
    mkdirSync(workDir, { recursive: true });
    for (const [file, text] of Object.entries(data.data)) writeFileSync(join(cmpFiles, file), text);
    writeFileSync(join(cmpFiles, "StalwartConfig.gz"), Buffer.from(data.binaryData["StalwartConfig.gz"] as string, "base64"));
    // The Argo CD image's kustomize is kustomize 5.7; kubectl's kustomize is the same code, so a stand-in runs it.
    const kubectl = run("sh", ["-c", "command -v kubectl"]).stdout.trim();
    const kustomize = join(scratch, "argocd/kustomize");
    writeFileSync(kustomize, `#!/bin/sh\n[ "$1" = build ] && shift\nexec ${kubectl} kustomize "$@"\n`, { mode: 0o755 });
    const init = container(podSpec().initContainers, "install-stalwart-plugin");
    const script = local(init.command?.at(-1) ?? "").replace("cp /usr/local/bin/kustomize", `cp ${kustomize}`);
    const result = run("/bin/sh", ["-ec", script]);
    assert.equal(result.status, 0, result.stderr);
    installed = true;
  }

  /** The repository's files as argocd-cmp-server unpacks a request: a folder of its own under its work folder, modes reset. */
  function checkout(): string {
    mkdirSync(workDir, { recursive: true });
    const root = mkdtempSync(join(workDir, "request-"));
    const files = run("git", ["ls-files", "-z"]).stdout.split("\0").filter((file) => file !== "");
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true, mode: 0o755 });
      cpSync(join(REPO_ROOT, file), join(root, file), { verbatimSymlinks: true });
      if (!lstatSync(join(root, file)).isSymbolicLink()) chmodSync(join(root, file), 0o644);
    }
    return root;
  }

  /** Runs plugin.yaml's generate command in an Application's folder, with the sidecar's environment and Argo CD's. */
  function generate(root: string, path: string) {
    installTools();
    const [shell, ...args] = pluginConfig().spec.generate.command;
    const env: NodeJS.ProcessEnv = { ARGOCD_CMP_WORKDIR: workDir };
    for (const variable of sidecar().env ?? []) env[variable.name] = local(variable.value ?? "").replace("/usr/local/bin", dirname(process.execPath));
    Object.assign(env, {
      ARGOCD_APP_NAME: application.metadata?.name,
      ARGOCD_APP_NAMESPACE: application.spec?.destination.namespace,
      ARGOCD_APP_REVISION: "0123456789abcdef0123456789abcdef01234567",
      ARGOCD_APP_SOURCE_PATH: path,
      ARGOCD_APP_SOURCE_REPO_URL: application.spec?.source?.repoURL,
      ARGOCD_APP_SOURCE_TARGET_REVISION: application.spec?.source?.targetRevision,
      KUBE_VERSION: "1.32",
      KUBE_API_VERSIONS: "v1,apps/v1,policy/v1,cert-manager.io/v1",
    });
    return run(shell as string, args.map(local), { env, cwd: join(root, path) });
  }

  test("generate.sh builds overlays/single as `kubectl kustomize --enable-alpha-plugins` does, and the Application's path as its golden file", () => {
    const root = checkout();
    const single = generate(root, "overlays/single");
    assert.equal(single.status, 0, single.stderr);
    const expected = kubectlKustomize("overlays/single");
    assert.equal(expected.status, 0, expected.stderr);
    assert.equal(single.stdout, expected.stdout);
    const path = application.spec?.source?.path ?? "";
    const built = generate(root, path);
    assert.equal(built.status, 0, built.stderr);
    assert.equal(built.stdout, golden(relative("overlays", path)));
  });

  /** An Application folder of the checkout with a kustomization listing the given transformer file. */
  function maliciousApp(transformer: string): { root: string; canary: string } {
    const root = checkout();
    const app = join(root, "overlays/evil");
    mkdirSync(app);
    writeFileSync(join(app, "kustomization.yaml"), "resources:\n  - configmap.yaml\ntransformers:\n  - transformer.yaml\n");
    writeFileSync(join(app, "configmap.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: innocent\n");
    const canary = join(root, "ran");
    writeFileSync(join(app, "transformer.yaml"), transformer.replaceAll("CANARY", canary));
    return { root, canary };
  }

  test("a plugin apiVersion that climbs out of the plugin home is refused before kustomize runs, naming the file and the fix", () => {
    const { root, canary } = maliciousApp("apiVersion: x/../../../../proc/self/cwd\nkind: StalwartConfig\nmetadata:\n  name: stalwart\n");
    // What /proc/self/cwd/stalwartconfig/StalwartConfig would run, executable even though Argo CD resets modes.
    mkdirSync(join(root, "overlays/evil/stalwartconfig"));
    writeFileSync(join(root, "overlays/evil/stalwartconfig/StalwartConfig"), `#!/bin/sh\ntouch ${canary}\ncat\n`, { mode: 0o755 });
    const result = generate(root, "overlays/evil");
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /overlays\/evil\/transformer\.yaml:1: apiVersion "x\/\.\.\/\.\.\/\.\.\/\.\.\/proc\/self\/cwd" contains "\.\."/);
    assert.match(result.stderr, /Fix: list under transformers:, generators: and validators: only files of StalwartConfig objects/);
    assert.equal(existsSync(canary), false, "nothing ran");
  });

  test("a kind that climbs to /bin/sh: kustomize alone runs the config as a shell script, generate.sh refuses it", () => {
    const { root, canary } = maliciousApp(`apiVersion: stalwart.krm.example/v1alpha1\nkind: ${"../".repeat(16)}bin/sh\nmetadata:\n  name: stalwart\nrun: x; touch CANARY; cat; exit 0\n`);
    installTools();
    const plain = run("kubectl", ["kustomize", "--enable-alpha-plugins", "overlays/evil"], { cwd: root, env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: join(tools, "plugin") } });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(existsSync(canary), true, "kustomize ran /bin/sh: the danger generate.sh exists for");
    rmSync(canary);
    const result = generate(root, "overlays/evil");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /overlays\/evil\/transformer\.yaml:2: kind "(\.\.\/)+bin\/sh" is not a plain name/);
    assert.equal(existsSync(canary), false, "nothing ran");
  });

  test("generate.sh refuses what it cannot check: remote, folder and inline plugin configs, KRM functions, other plugins", () => {
    const root = checkout();
    const app = join(root, "overlays/evil");
    mkdirSync(app);
    const cases: [string, Record<string, string>, RegExp][] = [
      ["- https://example.com/t.yaml", {}, /"https:\/\/example\.com\/t\.yaml" is remote/],
      ["- ../single", {}, /"\.\.\/single" is a folder/],
      ["- |-\n    apiVersion: builtin\n    kind: LabelTransformer", {}, /an inline object or a YAML indirection under transformers/],
      ["- t.yaml", { "t.yaml": "apiVersion: builtin\nkind: PrefixTransformer\nmetadata:\n  name: t\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./run\n" }, /t\.yaml:6: a KRM function annotation/],
      ["- t.yaml", { "t.yaml": "apiVersion: example.com/v1\nkind: Other\nmetadata:\n  name: t\n" }, /t\.yaml:1: apiVersion "example\.com\/v1" is neither StalwartConfig/],
      ["- t.yaml", { "t.yaml": "apiVersion: stalwart.krm.example/v1alpha1\nkind: StalwartConfig\n  ../../../bin/sh\n" }, /t\.yaml:3: the value of the apiVersion or kind above continues on this line/],
    ];
    const refused = (kustomization: string, message: RegExp) => {
      writeFileSync(join(app, "kustomization.yaml"), kustomization);
      const result = generate(root, "overlays/evil");
      assert.equal(result.status, 1, kustomization);
      assert.match(result.stderr, message);
    };
    for (const [entry, files, message] of cases) {
      for (const [file, text] of Object.entries(files)) writeFileSync(join(app, file), text);
      refused(`resources:\n  - ../../base/single\ntransformers:\n  ${entry}\n`, message);
    }
    // Kustomizations written so that a line-by-line reader would miss their lists.
    refused("  resources: [../../base/single]\n  transformers: [t.yaml]\n", /kustomization\.yaml:1: the kustomization does not start at the first column/);
    refused("--- {resources: [../../base/single], transformers: [t.yaml]}\n", /kustomization\.yaml:1: content on the document marker line/);
    refused("resources:\n  - ../../base/\n    single\n", /kustomization\.yaml:3: a line under resources that is not an entry of its own/);
    refused('resources:\n  - "..\\x2f..\\x2fbase/single"\n', /kustomization\.yaml:2: an entry with quotes or escapes inside/);
  });
});
