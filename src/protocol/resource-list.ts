/** The KRM function protocol: a ResourceList on stdin, a ResourceList with results on stdout. */
import { Document, isMap, isNode, isSeq, visit, YAMLSeq, type Node, type ParsedNode } from "yaml";
import { INTERNAL_PATH_ANNOTATION, isKubeObject, sourcePath, type KubeObject } from "../kube.js";
import { sortResults, type Result } from "../results.js";
import { transform } from "../transform.js";
import type { Outcome } from "./outcome.js";
import { concealSecrets } from "./conceal.js";
import { nodesFor, parseDocuments, readItem, stringifyNode, valueOf, type Item } from "./yaml-documents.js";

const RESOURCE_LIST = { apiVersion: "config.kubernetes.io/v1", kind: "ResourceList" };

/**
 * kpt copies each item's comments from its input onto the output itself (matched by id); comments written
 * here as well would appear twice in the files, and once more on every render.
 */
function withoutComments(node: Node): Node {
  const copy = node.clone() as Node;
  visit(copy, (_, visited) => {
    if (isNode(visited)) {
      visited.comment = null;
      visited.commentBefore = null;
    }
  });
  copy.commentBefore = null;
  copy.comment = null;
  return copy;
}

function write(items: readonly KubeObject[], originals: readonly Item[], results: readonly Result[]): string {
  const document = new Document(RESOURCE_LIST, { version: "1.1" });
  const seq = new YAMLSeq<Node>();
  seq.items.push(...nodesFor(items, originals).map(withoutComments));
  document.set("items", seq);
  if (results.length > 0) document.set("results", document.createNode(results));
  return stringifyNode(document.contents as Node);
}

/**
 * Orchestrators that write files (kpt) name a new object's file `<kind>_<name>.yaml` unless the function says;
 * new objects get `<kind>-<name>.yaml` beside the files they were read from. Only the internal annotation is
 * set: orchestrators copy it to the legacy one and strip both from what they print.
 */
function withFilePaths(items: readonly KubeObject[], originals: readonly Item[]): KubeObject[] {
  const known = new Set(originals.map((item) => item.object));
  const folders = originals.map((item) => sourcePath(item.object)).filter((path): path is string => path !== undefined);
  if (folders.length === 0) return [...items];
  const folder = folders[0]?.includes("/") ? folders[0].slice(0, folders[0].lastIndexOf("/") + 1) : "";
  return items.map((object) => {
    if (known.has(object) || sourcePath(object)) return object;
    const path = `${folder}${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
    return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [INTERNAL_PATH_ANNOTATION]: path } } };
  });
}

/** A ResourceList with the results and the items read so far: KRM mode answers with one even on failure. */
export function failure(results: Result[], originals: readonly Item[] = []): Outcome {
  return { output: write(originals.map((item) => item.object), originals, results), results };
}

/** Runs the function on a ResourceList text and returns the ResourceList text to print. */
export function runResourceList(text: string): Outcome {
  if (text.trim() === "") {
    return failure([{ severity: "error", message: "stdin is empty: in KRM function mode the input must be a ResourceList (kpt and `kustomize --enable-exec` send one)" }]);
  }
  const parsed = parseDocuments(text, "the ResourceList on stdin");
  if (parsed.results.length > 0) return failure(parsed.results);
  const root = parsed.documents[0]?.contents as ParsedNode | null | undefined;
  const kind: unknown = isMap(root) ? root.get("kind") : undefined;
  if (parsed.documents.length !== 1 || !isMap(root) || (kind !== "ResourceList" && kind !== "List")) {
    return failure([{ severity: "error", message: "stdin must hold one ResourceList; to run as a kustomize exec plugin, pass the config file as the first argument" }]);
  }

  const results: Result[] = [];
  const originals: Item[] = [];
  const itemsNode = root.get("items", true);
  if (itemsNode !== undefined && !isSeq(itemsNode)) results.push({ severity: "error", message: "`items` of the ResourceList must be a list" });
  (isSeq(itemsNode) ? itemsNode.items : []).forEach((node, index) => {
    const read = readItem(node as ParsedNode, `items[${index}] of the ResourceList`);
    if (read.item) originals.push(read.item);
    if (read.result) results.push(read.result);
  });
  const configNode = root.get("functionConfig", true) as ParsedNode | undefined;
  let functionConfig: KubeObject | undefined;
  if (configNode) {
    const read = valueOf(configNode, "`functionConfig` of the ResourceList");
    const config = read.value;
    if (read.result) results.push(read.result);
    else if (isKubeObject(config)) functionConfig = config;
    else results.push({ severity: "error", message: "`functionConfig` must be a StalwartConfig with `apiVersion`, `kind` and `metadata.name`" });
  }
  if (results.length > 0) return failure(results, originals);

  const outcome = transform({ items: originals.map((item) => item.object), functionConfig, mayHoldEarlierOutput: true });
  const shown = concealSecrets(outcome.results);
  return { output: write(withFilePaths(outcome.items, originals), originals, shown), results: sortResults(shown) };
}
