/**
 * Generators of hostile input, shared by the property suites: strings that try to break out of YAML, TOML
 * or a stderr line; numbers at the edges of what JavaScript, YAML and TOML represent; junk values of the
 * wrong type; edits of a valid object (fields deleted, replaced, added, strings injected); edits of YAML
 * text (raw scalars, tags, anchors, merge keys, duplicated lines, CRLF, BOM, truncation); and edits of the
 * bytes themselves (invalid UTF-8 spliced in).
 */
import fc from "fast-check";

/** Strings that mean something to one of the formats the function reads or writes. */
export const INJECTIONS: readonly string[] = [
  '"\n[evil]\nkey = 1',
  "\n[evil]\nkey = 1\n",
  '"\r\n[evil]\r\nkey = 1\r\n"',
  "'''",
  '"""',
  "'''\n[evil]\n'''",
  "\\u0000",
  "\\",
  "\\n[evil]",
  '\\"',
  "%{env:STALWART_SECRET}%",
  "%{file:/etc/shadow}%",
  "%{env:X",
  "{{ }}",
  "{{ .Values.password }}",
  "${HOME}",
  "$(id)",
  "`id`",
  "---\nkind: Secret",
  "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: evil\n",
  "\n...\n",
  ": ",
  "key: value",
  " # comment",
  "#",
  "[evil]",
  "[[evil]]",
  "evil = 1",
  "a.b.c = true",
  "= ",
  "]",
  "'",
  '"',
  "&anchor",
  "*alias",
  "<<: *base",
  "!!python/object/apply:os.system ['id']",
  "- item",
  "? key",
  "|",
  "@",
  "\u001b[2J\u001b[31m",
  "\n[error] injected line",
  "\r[warning] overwritten",
];

/** Characters that are easy to mishandle: controls, separators, bidirectional and zero-width marks, astral. */
export const AWKWARD_CHARACTERS: readonly string[] = [
  "\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\r", "\u000b", "\f", "\u001b", "\u007f",
  "\u0085", "\u009b", "\u00a0", "\u00ad",
  "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
  "\u2028", "\u2029", "\ufeff", "\ufffd", "\ufff9",
  "😀", "👩‍👩‍👧", "𝕏", "\u{10ffff}", "\u{e0041}", "e\u0301", "مرحبا", "שלום", "Ω", "ß", "ǅ", "İ",
];

/** Lone surrogates: not Unicode text, yet YAML's `\uD800` escape makes one. */
export const LONE_SURROGATES: readonly string[] = ["\ud800", "\udfff", "a\udc00b"];

/** Numbers at the edges, as JavaScript numbers. */
export const EDGE_NUMBERS: readonly number[] = [
  1e308, -1e308, 1.7976931348623157e308, 5e-324, 2 ** 53 + 1, -(2 ** 53 + 1), 2 ** 53, Number.MAX_SAFE_INTEGER,
  -0, 0, 99999999999999999999, 1e21, 2 ** 63, 2 ** 64, -(2 ** 63), 4294967296, 65536, 0.1, NaN, Infinity, -Infinity,
];

/** Plain YAML scalars that YAML 1.1 reads as something other than the string they look like, and tagged ones. */
export const RAW_SCALARS: readonly string[] = [
  "NaN", ".nan", ".NaN", ".inf", "-.inf", "+.inf", "Infinity", "1e308", "1e309", "-1e309", "-0", "-0.0",
  "99999999999999999999", "9007199254740993", "0x1F", "0o17", "017", "0b101", "1_000", "+1", "1:20", "190:20:30",
  "2001-12-14", "2001-12-14t21:59:43.10-05:00", "yes", "no", "on", "off", "y", "n", "~", "null", "Null", "true", "False",
  "''", '""', "[]", "{}", "[1, [2, [3]]]", "{a: {b: 1}}", "!!python/object/apply:os.system ['id']", "!!binary aGVsbG8=",
  "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!str 123", "!!int '12'", "!!float abc", "!!timestamp 2001-12-14", "!!timestamp abc",
  "!!int x", "!!bool maybe", "!!null x", "!!binary ###", "!custom x",
  "!<tag:yaml.org,2002:str> tagged", "*no_such_anchor", "&anchor value", "|\n  block", ">-\n  folded", '"unterminated',
  "'it''s'", "? complex", "- a\n- b", "%{env:X}%", "{{ x }}", '"\\u0000"', '"\\uD800"', '"\\x85"', '"\\U0001F600"',
];

/** The raw scalars with an explicit tag, fitting their value or not. */
export const TAGGED_SCALARS: readonly string[] = RAW_SCALARS.filter((raw) => raw.startsWith("!"));

/** Keys every JavaScript object has, through its prototype. */
export const INHERITED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty"];

/** Raw YAML lines that are legal somewhere but not everywhere. */
export const YAML_SNIPPETS: readonly string[] = [
  ":", "- ", "  ", "\t", "{", "}", "[", "]", "&a ", "*a", "!!binary ", "<<: {evil: 1}", "<<: *a", "<<: 1",
  "%YAML 1.1\n", "%YAML 1.2\n---\n", "%TAG ! tag:evil.example,2000:\n", "---\n", "...\n", "--- |\n", "? ", "|", ">", "#",
  "'", '"', "\n  key: duplicate\n", "\nkind: Secret\n", "\nmetadata:\n  name: again\n", "\u0000", "\ufeff", "\r",
];

/** Bytes that are not UTF-8, or only a BOM; the function must name the line of the first. */
export const INVALID_BYTES: readonly (readonly number[])[] = [
  [0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80],
  [0xfe, 0xff], [0xff, 0xfe], [0xe2, 0x82],
];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** An empty list `none` times in `none + some`, else one to `maxLength` values: breakage that stays the exception. */
export const noneOrSome = <T>(arbitrary: fc.Arbitrary<T>, none: number, some = 1, maxLength = 3): fc.Arbitrary<T[]> =>
  fc.oneof({ arbitrary: fc.constant<T[]>([]), weight: none }, { arbitrary: fc.array(arbitrary, { minLength: 1, maxLength }), weight: some });

/** Undefined but one time in `oneIn`. */
export const onceIn = <T>(oneIn: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: oneIn - 1 }, { arbitrary, weight: 1 });

/** A string built from injections, awkward characters and random text. */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { arbitrary: pick(INJECTIONS), weight: 4 },
      { arbitrary: pick(AWKWARD_CHARACTERS), weight: 3 },
      { arbitrary: fc.string({ unit: "binary", maxLength: 6 }), weight: 2 },
      { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
      { arbitrary: pick(LONE_SURROGATES), weight: 1 },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(""));

/** Keys for stray fields: plain, reserved-looking, or hostile. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  pick(["name", "kind", "apiVersion", "metadata", "spec", "enabled", "<<", "?", "- ", "", " ", "__proto__", "constructor", "a.b", "x-y"]),
  hostileString,
);

/** Strings that look like numbers, booleans or null to some reader. */
export const numberLikeString: fc.Arbitrary<string> = pick(RAW_SCALARS.filter((raw) => /^[-+.0-9a-zA-Z_:]+$/.test(raw)));

export const edgeNumber: fc.Arbitrary<number> = fc.oneof(pick(EDGE_NUMBERS), fc.double(), fc.integer());

const scalarJunk: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: edgeNumber, weight: 2 },
  { arbitrary: numberLikeString, weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);

/** A value of any JSON-like type, mostly hostile. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: scalarJunk, weight: 6 },
  { arbitrary: fc.array(scalarJunk, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(hostileKey, scalarJunk, { maxKeys: 3 }), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Edits of a parsed object

type Segment = string | number;
type Container = Record<string, unknown> | unknown[];

export type ObjectEdit =
  | { op: "delete"; at: number }
  | { op: "replace"; at: number; value: unknown }
  /** Replaces an element of a list: the lists (ports, containers, volumes, env) are what readers iterate. */
  | { op: "element"; at: number; value: unknown }
  | { op: "add"; at: number; key: string; value: unknown }
  | { op: "inject"; at: number; text: string; where: "whole" | "before" | "after" };

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

/** Every path below the root, depth first; `filter` keeps the ones whose value it accepts. */
function paths(root: unknown, filter: (value: unknown) => boolean = () => true): Segment[][] {
  const out: Segment[][] = [];
  const walk = (value: unknown, at: Segment[]) => {
    if (at.length > 0 && filter(value)) out.push(at);
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...at, index]));
    else if (isContainer(value)) for (const [key, item] of Object.entries(value)) walk(item, [...at, key]);
  };
  walk(root, []);
  return out;
}

function parentOf(root: Container, path: readonly Segment[]): { parent: Container; last: Segment } | undefined {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<Segment, unknown>)[segment];
  const last = path.at(-1);
  return isContainer(node) && last !== undefined ? { parent: node, last } : undefined;
}

function setAt(root: Container, path: readonly Segment[], value: unknown): void {
  const found = parentOf(root, path);
  if (found) (found.parent as Record<Segment, unknown>)[found.last] = value;
}

function applyEdit(root: Container, edit: ObjectEdit): void {
  if (edit.op === "add") {
    const targets = [[], ...paths(root, (value) => isContainer(value) && !Array.isArray(value))];
    const target = targets[edit.at % targets.length] ?? [];
    let node: unknown = root;
    for (const segment of target) node = (node as Record<Segment, unknown>)[segment];
    // Copied: a later edit may change what this one added, and generated values can be shared between runs.
    if (isContainer(node) && !Array.isArray(node)) Object.defineProperty(node, edit.key, { value: structuredClone(edit.value), enumerable: true, writable: true, configurable: true });
    return;
  }
  const candidates =
    edit.op === "inject" ? paths(root, (value) => typeof value === "string")
    : edit.op === "element" ? paths(root).filter((path) => typeof path.at(-1) === "number")
    : paths(root);
  const path = candidates[edit.at % Math.max(candidates.length, 1)];
  if (!path) return;
  if (edit.op === "delete") {
    const found = parentOf(root, path);
    if (!found) return;
    if (Array.isArray(found.parent)) found.parent.splice(Number(found.last), 1);
    else delete found.parent[String(found.last)];
  } else if (edit.op === "replace" || edit.op === "element") {
    setAt(root, path, structuredClone(edit.value));
  } else {
    const found = parentOf(root, path);
    const current = found ? String((found.parent as Record<Segment, unknown>)[found.last]) : "";
    setAt(root, path, edit.where === "whole" ? edit.text : edit.where === "before" ? edit.text + current : current + edit.text);
  }
}

/** Applies the edits, in order, to a copy. */
export function applyObjectEdits<T>(value: T, edits: readonly ObjectEdit[]): T {
  const copy = structuredClone(value);
  if (isContainer(copy)) for (const edit of edits) applyEdit(copy, edit);
  return copy;
}

export const objectEdit: fc.Arbitrary<ObjectEdit> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("replace" as const), at: fc.nat(), value: junk }),
  // Half the time null: a reader that trusts a list's entries to be objects fails on exactly that.
  fc.record({ op: fc.constant("element" as const), at: fc.nat(), value: fc.oneof(fc.constant(null), junk) }),
  fc.record({ op: fc.constant("add" as const), at: fc.nat(), key: hostileKey, value: junk }),
  fc.record({ op: fc.constant("inject" as const), at: fc.nat(), text: hostileString, where: pick(["whole", "before", "after"] as const) }),
);

/** A few edits of the object: broken in one to four places. */
export const editedObject = <T>(base: T, maxEdits = 4): fc.Arbitrary<T> =>
  fc.array(objectEdit, { minLength: 1, maxLength: maxEdits }).map((edits) => applyObjectEdits(base, edits));

/** What makes an object a Kubernetes object, gone (value undefined) or of the wrong type. */
export interface IdentityBreak {
  field: "apiVersion" | "kind" | "metadata" | "metadata.name";
  value?: unknown;
}

export const identityBreak: fc.Arbitrary<IdentityBreak> = fc.record(
  { field: pick(["apiVersion", "kind", "metadata", "metadata.name"] as const), value: junk },
  { requiredKeys: ["field"] },
);

export function breakIdentity<T>(value: T, broken: IdentityBreak): T {
  const copy = structuredClone(value) as Record<string, unknown>;
  const target = broken.field === "metadata.name" ? copy.metadata : copy;
  if (!isContainer(target) || Array.isArray(target)) return copy as T;
  const key = broken.field === "metadata.name" ? "name" : broken.field;
  if ("value" in broken) target[key] = broken.value;
  else delete target[key];
  return copy as T;
}

// ---------------------------------------------------------------------------------------------------------
// Edits of YAML text and of bytes

export type TextEdit =
  | { op: "insert"; at: number; text: string }
  | { op: "scalar"; at: number; text: string }
  | { op: "duplicateLine"; at: number }
  | { op: "dropLine"; at: number }
  | { op: "truncate"; at: number }
  | { op: "crlf" }
  | { op: "bom" }
  | { op: "tabs" };

function lineEdit(text: string, at: number, change: (lines: string[], index: number) => void): string {
  const lines = text.split("\n");
  change(lines, at % lines.length);
  return lines.join("\n");
}

function applyTextEdit(text: string, edit: TextEdit): string {
  switch (edit.op) {
    case "insert": {
      const at = edit.at % (text.length + 1);
      return text.slice(0, at) + edit.text + text.slice(at);
    }
    case "scalar": {
      // Replaces the value of a `key: value` line with a raw YAML scalar, so YAML (not JSON) decides its type.
      const candidates = text.split("\n").map((line, index) => [line, index] as const).filter(([line]) => /^\s*(- )?[^\s:#'"][^:#]*: \S/.test(line));
      const chosen = candidates[edit.at % Math.max(candidates.length, 1)];
      if (!chosen) return text;
      return lineEdit(text, chosen[1], (lines, index) => {
        const line = lines[index] ?? "";
        const indent = /^\s*/.exec(line)?.[0].length ?? 0;
        lines[index] = line.replace(/: .*$/, `: ${edit.text.replaceAll("\n", `\n${" ".repeat(indent + 2)}`)}`);
      });
    }
    case "duplicateLine":
      return lineEdit(text, edit.at, (lines, index) => lines.splice(index, 0, lines[index] ?? ""));
    case "dropLine":
      return lineEdit(text, edit.at, (lines, index) => lines.splice(index, 1));
    case "truncate":
      return text.slice(0, edit.at % (text.length + 1));
    case "crlf":
      return text.replaceAll("\n", "\r\n");
    case "bom":
      return `\ufeff${text}`;
    case "tabs":
      return text.replace(/^( {2})+/gm, (spaces) => "\t".repeat(spaces.length / 2));
  }
}

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return edits.reduce(applyTextEdit, text);
}

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("scalar" as const), at: fc.nat(), text: pick(RAW_SCALARS) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(pick(YAML_SNIPPETS), hostileString) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("duplicateLine" as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("dropLine" as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.constantFrom({ op: "crlf" as const }, { op: "bom" as const }, { op: "tabs" as const }), weight: 2 },
);

export interface ByteEdit {
  at: number;
  bytes: readonly number[];
}

export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    out = Buffer.concat([out.subarray(0, at), Buffer.from(edit.bytes), out.subarray(at)]);
  }
  return new Uint8Array(out);
}

export const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({ at: fc.nat(), bytes: pick(INVALID_BYTES) });

/** Text that carries nothing: empty, whitespace, a BOM, comments, empty documents. */
export const emptyishText: fc.Arbitrary<string> = pick(["", " ", "\n", "\r\n", "\t \n  \n", "\ufeff", "\ufeff\n", "# only a comment\n", "---\n", "--- \n...\n", "---\n---\n", "...\n"]);

/** Random bytes, mostly not UTF-8. */
export const garbageBytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 600 });

// ---------------------------------------------------------------------------------------------------------
// Whole YAML documents that attack the parser

/** A "billion laughs" alias bomb as a block mapping, each level repeating the one before `width` times. */
export function aliasBomb(levels: number, width: number, indent = ""): string {
  const lines = [`${indent}l0: &l0 "lol"`];
  for (let level = 1; level < levels; level++) lines.push(`${indent}l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

/**
 * A block mapping (indented by two) that no reader can expand: an alias bomb, or an alias inside the node its
 * anchor names, which makes the value contain itself.
 */
export const aliasTrap: fc.Arbitrary<string> = fc.oneof(
  fc.record({ levels: fc.integer({ min: 3, max: 9 }), width: fc.integer({ min: 3, max: 9 }) }).map(({ levels, width }) => aliasBomb(levels, width, "  ")),
  fc.constantFrom("  self: &loop\n    again: *loop\n", "  list: &loop [1, *loop]\n", "  deep: &loop {a: {b: [*loop]}}\n"),
);

/** Documents that are not Kubernetes objects, or that use YAML features hostile to naive readers. */
export const hostileDocument: fc.Arbitrary<string> = fc.oneof(
  pick([
    "42\n", "-1e309\n", '"just a string"\n', "~\n", "null\n", "[]\n", "- a\n- b\n", "{}\n", "|\n  block text\n", "!!binary aGVsbG8=\n",
    "apiVersion: v1\nkind: ConfigMap\n", "apiVersion: v1\nmetadata:\n  name: no-kind\n", "kind: ConfigMap\nmetadata:\n  name: no-api-version\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 42\n", "apiVersion: [v1]\nkind: ConfigMap\nmetadata:\n  name: x\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: dup\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\n  labels: &labels {app: x}\n  annotations: *labels\ndata:\n  <<: {merged: \"yes\"}\n  k: v\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merge-junk\ndata:\n  <<: 1\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: python\ndata:\n  x: !!python/object/apply:os.system ['id']\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sets\ndata: !!set {a, b}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: !!omap [name: omap]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dated\n  annotations:\n    when: 2001-12-14\n",
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: evil\nstringData:\n  password: hunter2\n",
    "%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: directive\n",
    "? [complex, key]\n: value\n",
    "*no_such_anchor\n",
  ]),
  aliasTrap.map((trap) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\ndata:\n${trap}`),
  aliasTrap.map((trap) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: loop\n  labels:\n${trap}`),
);
