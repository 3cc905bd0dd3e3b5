/**
 * YAML text to objects and back. Items keep their parsed documents, so an item the function does not change
 * is written back exactly as it came (comments, quoting, octal modes); a changed item gets only its changes.
 * YAML 1.1 on both sides, because kubectl reads `yes`, `on` and `0644` the 1.1 way.
 */
import jsonPatch from "fast-json-patch";
import { Document, isCollection, isScalar, parseAllDocuments, visit, type Node, type ParsedNode } from "yaml";
import { isKubeObject, objectKey, type KubeObject } from "../kube.js";
import { pointerSegments } from "../settings/field-path.js";
import type { Result } from "../results.js";
import { goSafeComment, goSafeTags } from "./go-yaml-text.js";

const PARSE = { version: "1.1", prettyErrors: false, uniqueKeys: true } as const;
// With lineWidth 0 only `!!binary` values read minContentWidth: yaml splits their base64 into lines that wide,
// and with 0 into endlessly many (a RangeError).
// Go's YAML reads the output next (kustomize, kpt, kubectl): see go-yaml-text.ts.
const STRINGIFY = { lineWidth: 0, minContentWidth: 76, commentString: goSafeComment } as const;
const WRITE = { ...PARSE, customTags: goSafeTags } as const;

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

/** An escape of half a UTF-16 surrogate pair (`"\ud800"`), the only way YAML text gets a string that is not Unicode. */
const SURROGATE_ESCAPE = /\\(u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Strings with a lone surrogate, which no UTF-8 output can hold and Go's YAML refuses even escaped; only looked
 * for when the text has such an escape at all.
 */
function loneSurrogates(document: Document.Parsed): number[] {
  const offsets: number[] = [];
  visit(document, {
    Scalar(_, node) {
      if (isScalar(node) && typeof node.value === "string" && LONE_SURROGATE.test(node.value)) offsets.push(node.range?.[0] ?? 0);
    },
  });
  return offsets;
}

/** Parses a multi-document stream; every syntax problem becomes an error result naming the source and line. */
export function parseDocuments(text: string, source: string): { documents: Document.Parsed[]; results: Result[] } {
  const documents = parseAllDocuments(text, PARSE);
  if (!Array.isArray(documents)) return { documents: [], results: [] };
  const results: Result[] = [];
  const escapesSurrogates = SURROGATE_ESCAPE.test(text);
  for (const document of documents) {
    // A tag that does not fit its value (`!!float abc`, `!!timestamp x`) is only a warning to yaml, which then
    // reads a string but writes the tag's idea of it back (`.nan`), or fails to: refused like any other error.
    const unresolvedTags = document.warnings.filter((warning) => warning.code === "TAG_RESOLVE_FAILED");
    for (const error of [...document.errors, ...unresolvedTags]) {
      const { line, column } = lineOf(text, error.pos[0]);
      results.push({
        severity: "error",
        message: `${source} is not valid YAML at line ${line}, column ${column}: ${error.message.split("\n")[0]}`,
      });
    }
    for (const offset of escapesSurrogates ? loneSurrogates(document) : []) {
      const { line, column } = lineOf(text, offset);
      results.push({
        severity: "error",
        message: `${source} holds a string with half a UTF-16 surrogate pair (an escape such as \`\\ud800\`) at line ${line}, column ${column}, which is not a character and which Go's YAML (kustomize, kpt, kubectl) cannot read; write the whole character or pair`,
      });
    }
  }
  return { documents: results.length > 0 ? [] : documents, results };
}

/** Whether the value contains itself, as an alias inside the node its anchor names makes it. */
function isCircular(value: unknown, ancestors = new Set<object>()): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const circular = Object.values(value).some((child) => isCircular(child, ancestors));
  ancestors.delete(value);
  return circular;
}

/**
 * The plain value of a parsed node, or why YAML cannot give one: an alias whose anchor is elsewhere, a merge
 * key (`<<`) of something other than a map, aliases that expand exponentially ("billion laughs"), or an alias
 * inside its own anchor, whose value is endless.
 */
export function valueOf(node: ParsedNode, where: string): { value?: unknown; result?: Result } {
  let value: unknown;
  try {
    value = new Document(node, PARSE).toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    return { result: { severity: "error", message: `${where} cannot be read: ${(error as Error).message.split("\n")[0]}` } };
  }
  if (isCircular(value)) return { result: { severity: "error", message: `${where} cannot be read: an alias refers to a node that contains it, so the value never ends` } };
  return { value };
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

/** Cloned first, so that a Buffer (`!!binary`) reads as the Uint8Array every deep copy makes of it. */
function asJson(object: KubeObject): object {
  return JSON.parse(JSON.stringify(structuredClone(object))) as object;
}

function hasAlias(node: Node): boolean {
  let found = false;
  visit(node, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** The node to write for an output object: the original one, with only the changes applied, or a new one. */
export function nodeFor(object: KubeObject, original: Item | undefined): Node {
  const document = new Document(null, PARSE);
  // Written out in full, never with anchors of its own: only what came in with aliases keeps them.
  const fresh = () => document.createNode(object, { aliasDuplicateObjects: false });
  if (!original?.node) return fresh();
  if (original.object === object) return original.node;
  const node = original.node;
  // A change cannot be made through an alias (or a merge key) without changing its anchor too.
  if (!isCollection(node) || hasAlias(node)) return fresh();
  // Compared as JSON on both sides: fast-json-patch clones one side through JSON itself, which would turn a
  // YAML 1.1 timestamp (a Date) into a string and "change" it character by character.
  for (const operation of jsonPatch.compare(asJson(original.object), asJson(object))) {
    const path = pointerSegments(operation.path);
    if (operation.op === "remove") node.deleteIn(path);
    else if (operation.op === "add" || operation.op === "replace") node.setIn(path, document.createNode(operation.value, { aliasDuplicateObjects: false }));
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
  const document = new Document(null, WRITE);
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
