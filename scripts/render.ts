/**
 * `npm run -s render -- <kustomization dir>`: builds an overlay with the plugin from this repository, through
 * `kubectl kustomize` (or a standalone `kustomize` when kubectl is missing). Extra arguments go to the tool.
 * npm runs scripts from the repository root and records the caller's folder in INIT_CWD, so a relative
 * folder is read from there, as the user meant it.
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [given, ...rest] = process.argv.slice(2);
if (!given) {
  console.error("usage: npm run -s render -- <kustomization directory>, for example: npm run -s render -- overlays/single");
  process.exit(2);
}
// A remote target (github.com/..., https://...) goes to kustomize as given; a folder is resolved from the caller's.
const remote = /^[a-z][a-z0-9+.-]*:\/\/|^(github\.com|gitlab\.com|bitbucket\.org)\//.test(given);
const target = remote ? given : resolve(process.env.INIT_CWD ?? process.cwd(), given);

const env = { ...process.env, KUSTOMIZE_PLUGIN_HOME: join(root, "plugin") };
const has = (tool: string) => spawnSync(tool, ["version"], { stdio: "ignore" }).error === undefined;
const command = has("kubectl")
  ? ["kubectl", "kustomize", "--enable-alpha-plugins", target, ...rest]
  : has("kustomize")
    ? ["kustomize", "build", "--enable-alpha-plugins", target, ...rest]
    : undefined;
if (!command) {
  console.error("render needs kubectl (kustomize 5 built in) or kustomize 5 on PATH; neither was found. Install kubectl: https://kubernetes.io/docs/tasks/tools/");
  process.exit(2);
}
const [tool, ...args] = command as [string, ...string[]];
const result = spawnSync(tool, args, { env, stdio: "inherit" });
process.exit(result.status ?? 1);
