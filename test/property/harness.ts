/**
 * How the property suites feed the function: objects written as YAML in a random but valid style, streams
 * and ResourceLists assembled from them, and `invoke()` run in-process under either protocol.
 */
import fc from "fast-check";
import { Document, type ToStringOptions } from "yaml";
import { invoke, type Answer } from "../../src/invocation.ts";
import type { KubeObject } from "../../src/kube.ts";
import { overlayInput, readObject } from "../support/fixtures.ts";

export type Mode = "legacy" | "krm";

/**
 * A fixed seed keeps CI repeatable, and the run counts keep the suite within its time budget; FC_SEED=<n>
 * explores other cases, FC_RUNS_SCALE=<k> runs k times as many.
 */
export function runs<T>(numRuns: number): fc.Parameters<T> {
  return { numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)), seed: Number(process.env.FC_SEED ?? 20261128), includeErrorInReport: true };
}

/** Where the legacy config file is "read" from; messages name it. */
const CONFIG_PATH = "overlay/stalwartconfig.yaml";

export type YamlStyle = Pick<ToStringOptions, "collectionStyle" | "defaultStringType" | "indent">;

export const yamlStyle: fc.Arbitrary<YamlStyle> = fc.record({
  collectionStyle: fc.constantFrom("any", "block", "flow"),
  defaultStringType: fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL", "BLOCK_FOLDED"),
  indent: fc.integer({ min: 1, max: 4 }),
});

/** One YAML 1.1 document; yaml quotes whatever would otherwise read back as something else. */
export function yamlText(value: unknown, style: YamlStyle = {}): string {
  return new Document(value, { version: "1.1" }).toString({ lineWidth: 0, ...style });
}

export function streamText(documents: readonly string[]): string {
  return documents.join("---\n");
}

/**
 * A ResourceList whose items are the given YAML documents, written as they are (an alias bomb or a tag stays
 * one), after the other fields of `envelope` in block style.
 */
export function resourceListText(envelope: Record<string, unknown>, documents: readonly string[]): string {
  const items = documents.map((document) => `- ${document.trimEnd().replaceAll("\n", "\n  ")}\n`).join("");
  return `${yamlText(envelope, { collectionStyle: "block" })}items:${items === "" ? " []\n" : `\n${items}`}`;
}

/** What the function receives of a string sent as UTF-8: a lone surrogate becomes U+FFFD. */
export function asUtf8(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

const bytes = (input: string | Uint8Array): Uint8Array => (typeof input === "string" ? new Uint8Array(Buffer.from(input, "utf8")) : input);

/** The kustomize exec-plugin protocol: the config file's bytes and the resource stream's. */
export function runLegacy(config: string | Uint8Array, stream: string | Uint8Array): Answer {
  const configBytes = bytes(config);
  return invoke({ args: [CONFIG_PATH], stdin: bytes(stream), readFile: () => configBytes });
}

/** The KRM function protocol: a ResourceList on stdin. */
export function runKrm(resourceList: string | Uint8Array): Answer {
  return invoke({ args: [], stdin: bytes(resourceList), readFile: () => { throw new Error("a KRM function reads no file"); } });
}

export type Overlay = "overlays/single" | "overlays/cluster";
export const OVERLAYS: readonly Overlay[] = ["overlays/single", "overlays/cluster"];

/** What kustomize hands the transformer of the overlay, and the overlay's own StalwartConfig. */
export function overlay(name: Overlay): { items: KubeObject[]; config: KubeObject } {
  return { items: overlayInput(name), config: readObject(`${name}/stalwartconfig.yaml`) };
}

/** The objects' YAML documents, as kustomize would join them. */
export function documentsOf(objects: readonly unknown[], style: YamlStyle = {}): string[] {
  return objects.map((object) => yamlText(object, style));
}
