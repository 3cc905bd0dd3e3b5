/**
 * YAML text to objects and back. Items keep their parsed documents, so an item the function does not change
 * is written back exactly as it came (comments, quoting, octal modes); a changed item gets only its changes.
 * YAML 1.1 on both sides, because kubectl reads `yes`, `on` and `0644` the 1.1 way.
 */
import jsonPatch from "fast-json-patch";
import { Document, isCollection, parseAllDocuments, type Node, type ParsedNode } from "yaml";
import { isKubeObject, objectKey, type KubeObject } from "../kube.js";
import { pointerSegments } from "../settings/field-path.js";
import type { Result } from "../results.js";

const PARSE = { version: "1.1", prettyErrors: false, uniqueKeys: true } as const;
const STRINGIFY = { lineWidth: 0, minContentWidth: 0 } as const;

/** A KRM object with the node it was read from, when it was read rather than made. */
export interface Item {
  object: KubeObject;
  node?: ParsedNode;
  /** Comments of the document around the node (above its first line, below its last), in a stream. */
  comments?: DocumentComments;
}

export interface DocumentComments {
  before: string | null;
  after: string | null;
}

function lineOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Parses a multi-document stream; every syntax problem becomes an error result naming the source and line. */
export function parseDocuments(text: string, source: string): { documents: Document.Parsed[]; results: Result[] } {
  const documents = parseAllDocuments(text, PARSE);
  if (!Array.isArray(documents)) return { documents: [], results: [] };
  const results: Result[] = [];
  for (const document of documents) {
    for (const error of document.errors) {
      const { line, column } = lineOf(text, error.pos[0]);
      results.push({
        severity: "error",
        message: `${source} is not valid YAML at line ${line}, column ${column}: ${error.message.split("\n")[0]}`,
      });
    }
  }
  return { documents: results.length > 0 ? [] : documents, results };
}

/**
 * The plain value of a parsed node, or why YAML cannot give one: an alias whose anchor is elsewhere, a merge
 * key (`<<`) of something other than a map, or aliases that expand exponentially ("billion laughs").
 */
export function valueOf(node: ParsedNode, where: string): { value?: unknown; result?: Result } {
  try {
    return { value: new Document(node, PARSE).toJS({ maxAliasCount: 100 }) as unknown };
  } catch (error) {
    return { result: { severity: "error", message: `${where} cannot be read: ${(error as Error).message.split("\n")[0]}` } };
  }
}

/** Reads a document or node as a KRM object, or says why it is not one. */
export function readItem(node: ParsedNode | null | undefined, where: string): { item?: Item; result?: Result } {
  const read = node ? valueOf(node, where) : {};
  if (read.result) return read;
  const object = read.value;
  if (isKubeObject(object)) return { item: { object, node: node ?? undefined } };
  return {
    result: {
      severity: "error",
      message: `${where} is not a Kubernetes object: it needs \`apiVersion\`, \`kind\` and \`metadata.name\``,
    },
  };
}

/** The node to write for an output object: the original one, with only the changes applied, or a new one. */
export function nodeFor(object: KubeObject, original: Item | undefined): Node {
  const document = new Document(null, PARSE);
  if (!original?.node) return document.createNode(object);
  if (original.object === object) return original.node;
  const node = original.node;
  if (!isCollection(node)) return document.createNode(object);
  for (const operation of jsonPatch.compare(original.object, object)) {
    const path = pointerSegments(operation.path);
    if (operation.op === "remove") node.deleteIn(path);
    else if (operation.op === "add" || operation.op === "replace") node.setIn(path, document.createNode(operation.value));
  }
  return node;
}

/** The item each output object came from, matched by identity, then by object key. */
function originalsOf(objects: readonly KubeObject[], originals: readonly Item[]): (Item | undefined)[] {
  const byObject = new Map(originals.map((item) => [item.object, item]));
  const byKey = new Map(originals.map((item) => [objectKey(item.object), item]));
  return objects.map((object) => byObject.get(object) ?? byKey.get(objectKey(object)));
}

/** Output nodes for the objects, each built on the item it came from. */
export function nodesFor(objects: readonly KubeObject[], originals: readonly Item[]): Node[] {
  const matched = originalsOf(objects, originals);
  return objects.map((object, index) => nodeFor(object, matched[index]));
}

/** One YAML document's text. */
export function stringifyNode(node: Node, comments?: DocumentComments): string {
  const document = new Document(null, PARSE);
  document.contents = node as never;
  document.commentBefore = comments?.before ?? null;
  document.comment = comments?.after ?? null;
  return document.toString(STRINGIFY);
}

/** A multi-document stream of the objects, each built on the document it came from, comments included. */
export function stringifyStream(objects: readonly KubeObject[], originals: readonly Item[]): string {
  const matched = originalsOf(objects, originals);
  return objects.map((object, index) => stringifyNode(nodeFor(object, matched[index]), matched[index]?.comments)).join("---\n");
}
