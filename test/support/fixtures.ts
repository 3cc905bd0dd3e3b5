/** Inputs for the pure-core tests, read from the real bases so the tests follow them. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { REPO_ROOT } from "./tools.ts";

export function readObjects(relativePath: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(REPO_ROOT, relativePath), "utf8"), { version: "1.1" })
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export function readObject(relativePath: string): KubeObject {
  const [object] = readObjects(relativePath);
  if (!object) throw new Error(`${relativePath} holds no object`);
  return object;
}

/** A StalwartConfig as the user writes it (the functionConfig). */
export function stalwartConfig(spec: Record<string, unknown>, name = "stalwart"): KubeObject {
  return { apiVersion: "stalwart.krm.example/v1alpha1", kind: "StalwartConfig", metadata: { name }, spec };
}

/** A StalwartConfig fragment as bases and components carry it. */
export function fragment(spec: Record<string, unknown>, name: string): KubeObject {
  return {
    apiVersion: "stalwart.krm.example/v1alpha1",
    kind: "StalwartConfig",
    metadata: { name, annotations: { "config.kubernetes.io/local-config": "true" } },
    spec,
  };
}

/** The items kustomize hands the transformer for overlays/single, from the files themselves. */
export function singleBaseItems(): KubeObject[] {
  return [
    ...readObjects("base/common/serviceaccount.yaml"),
    ...readObjects("base/common/service.yaml"),
    ...readObjects("base/common/configmap.yaml"),
    ...readObjects("base/common/stalwartconfig.yaml"),
    ...readObjects("base/single/deployment.yaml"),
    ...readObjects("base/single/persistentvolumeclaim.yaml"),
    ...readObjects("base/single/stalwartconfig.yaml"),
  ];
}

export const listeners = () => (readObject("base/common/stalwartconfig.yaml").spec as { listeners: Record<string, unknown> }).listeners;
