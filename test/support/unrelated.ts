/** Objects the function has no business with, as another application would bring them, for scale tests and the benchmark. */
import { stringify } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { kustomizeInput } from "./kustomize-input.ts";

export function unrelated(index: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `unrelated-${index}`, namespace: "other", labels: { app: "other" }, annotations: { note: "passes through" } },
    data: { "settings.json": JSON.stringify({ index, enabled: index % 2 === 0 }), mode: "0644" },
  };
}

/** Each unrelated object as its own YAML document. */
export const unrelatedDocuments = (count: number) => Array.from({ length: count }, (_, index) => stringify(unrelated(index), { version: "1.1" }));

/** The stream kustomize hands the function for an overlay, with `count` unrelated objects after it. */
export function streamWithUnrelated(count: number, overlay = "overlays/cluster"): string {
  return [kustomizeInput(overlay).replace(/\n*$/, "\n"), ...unrelatedDocuments(count)].join("---\n");
}
