import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { invoke } from "../../../src/invocation.ts";
import { CONFIG_CHECKSUM_ANNOTATION, type KubeObject } from "../../../src/kube.ts";
import { LINE_LABEL } from "../../../src/render/workload-line.ts";
import { kustomizeInput } from "../../support/kustomize-input.ts";
import { REPO_ROOT } from "../../support/tools.ts";

const config = readFileSync(join(REPO_ROOT, "overlays/single/stalwartconfig.yaml"));
const documents = kustomizeInput("overlays/single").split(/^---\n/m);
const TEMPLATE_METADATA = "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: stalwart\n";

/** The Deployment with its pod template's metadata written as an alias of another node of it. */
function withAlias(anchorAt: "metadata" | "selector"): string {
  return documents
    .map((document) => {
      if (!document.startsWith("apiVersion: apps/v1\nkind: Deployment")) return document;
      assert.ok(document.includes(TEMPLATE_METADATA));
      const anchored = anchorAt === "metadata" ? document.replace("\nmetadata:\n", "\nmetadata: &meta\n") : document.replace("  selector:\n", "  selector: &meta\n");
      return anchored.replace(TEMPLATE_METADATA, "  template:\n    metadata: *meta\n");
    })
    .join("---\n");
}

const legacy = (stream: string) => invoke({ args: ["stalwartconfig.yaml"], stdin: Buffer.from(stream), readFile: () => config });
const deploymentOf = (stdout: string) => parseAllDocuments(stdout).map((document) => document.toJS() as KubeObject).find((object) => object?.kind === "Deployment") as KubeObject & { spec: { selector: unknown; template: { metadata: { annotations?: Record<string, string> } } } };

for (const anchorAt of ["metadata", "selector"] as const) {
  test(`a pod template whose metadata is an alias of the workload's ${anchorAt} gets the checksum alone, under both protocols`, () => {
    const stream = withAlias(anchorAt);
    const first = legacy(stream);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /internal error/);
    const deployment = deploymentOf(first.stdout);
    assert.match(deployment.spec.template.metadata.annotations?.[CONFIG_CHECKSUM_ANNOTATION] ?? "", /^[0-9a-f]{64}$/);
    assert.equal(deployment.metadata.annotations?.[CONFIG_CHECKSUM_ANNOTATION], undefined, "the workload's own metadata");
    assert.deepEqual(deployment.spec.selector, { matchLabels: { "app.kubernetes.io/name": "stalwart", [LINE_LABEL]: "0.15" } });
    assert.equal(legacy(first.stdout).stdout, first.stdout, "a run on its own output changes nothing");

    const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${stream.split(/^---\n/m).map((document) => `- ${document.trimEnd().replaceAll("\n", "\n  ")}\n`).join("")}functionConfig:\n  ${config.toString().trimEnd().replaceAll("\n", "\n  ")}\n`;
    const krm = invoke({ args: [], stdin: Buffer.from(list), readFile: () => config });
    assert.equal(krm.exitCode, 0, krm.stderr);
    const items = (parse(krm.stdout) as { items: KubeObject[] }).items;
    assert.deepEqual(deploymentOf(items.map((item) => JSON.stringify(item)).join("\n---\n")), deployment);
  });
}
