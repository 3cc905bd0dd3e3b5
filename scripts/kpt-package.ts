/**
 * Regenerates the kpt package overlays/kpt from the bases: the resources kustomize hands the function for
 * overlays/single (fragments included), one file per object, then `kpt fn render` to hydrate them. The
 * Kptfile, the package's own stalwartconfig.yaml and README.md are kept. `--out DIR` writes a copy elsewhere
 * (the freshness test). Run it after changing a base: `npm run kpt-package`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Document, parseAllDocuments } from "yaml";
import { kustomizeInput } from "../test/support/kustomize-input.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const KEEP = new Set(["Kptfile", "stalwartconfig.yaml", "README.md"]);
const ORCHESTRATOR_ANNOTATION = /^(kustomize\.config\.k8s\.io\/|internal\.config\.kubernetes\.io\/|config\.kubernetes\.io\/(path|index)$|config\.k8s\.io\/id$)/;

export function writeKptPackage(target: string): void {
  const staging = mkdtempSync(join(tmpdir(), "stalwart-kpt-"));
  try {
    const workspace = join(staging, "overlays/kpt");
    cpSync(join(root, "overlays/kpt"), workspace, { recursive: true, filter: (path) => !path.endsWith(".yaml") || KEEP.has(path.split("/").pop() ?? "") });
    for (const file of readdirSync(workspace)) if (!KEEP.has(file)) rmSync(join(workspace, file), { recursive: true });
    for (const document of parseAllDocuments(kustomizeInput("overlays/single"), { version: "1.1" })) {
      const object = document.toJS() as { kind: string; metadata: { name: string; annotations?: Record<string, string> } } | null;
      if (!object) continue;
      const annotations = Object.fromEntries(Object.entries(object.metadata.annotations ?? {}).filter(([key]) => !ORCHESTRATOR_ANNOTATION.test(key)));
      if (Object.keys(annotations).length > 0) object.metadata.annotations = annotations;
      else delete object.metadata.annotations;
      // The fragments are StalwartConfigs the user may read and edit: name the editors' schema, as every shipped one does.
      const header = object.kind === "StalwartConfig" ? "# yaml-language-server: $schema=../../schema/stalwartconfig.schema.json\n" : "";
      writeFileSync(join(workspace, `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`), header + new Document(object, { version: "1.1" }).toString({ lineWidth: 0 }));
    }
    cpSync(join(root, "plugin"), join(staging, "plugin"), { recursive: true });
    const render = spawnSync("kpt", ["fn", "render", "overlays/kpt", "--allow-exec"], { cwd: staging, encoding: "utf8" });
    if (render.error || render.status !== 0) throw new Error(`kpt fn render failed: ${render.error?.message ?? render.stderr}`);
    rmSync(target, { recursive: true, force: true });
    cpSync(workspace, target, { recursive: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf("--out");
  writeKptPackage(outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "overlays/kpt"));
}
