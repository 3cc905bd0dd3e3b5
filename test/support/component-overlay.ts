/** A temporary overlay of a base with components and a StalwartConfig, as the component matrices build them. */
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./tools.ts";

/** Writes `kustomization.yaml` and `stalwartconfig.yaml` into `dir` (which exists): `base/<base>` with the components. */
export function writeComponentOverlay(dir: string, base: string, components: readonly string[], spec: Record<string, unknown>): void {
  writeFileSync(join(dir, "stalwartconfig.yaml"), JSON.stringify({ apiVersion: "stalwart.krm.example/v1alpha1", kind: "StalwartConfig", metadata: { name: "stalwart" }, spec }));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    JSON.stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      // Kustomize takes no absolute paths: the repository is reached relatively from the temporary folder.
      resources: [relative(dir, join(REPO_ROOT, "base", base))],
      components: components.map((name) => relative(dir, join(REPO_ROOT, "overlays/components", name))),
      // Untagged: the function gives the line's release tag.
      images: [{ name: "stalwartlabs/stalwart", newName: "registry.example.com/stalwart" }],
      transformers: ["stalwartconfig.yaml"],
    }),
  );
}
