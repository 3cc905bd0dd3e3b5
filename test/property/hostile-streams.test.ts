/**
 * Broken resource streams and ResourceLists around a valid StalwartConfig: documents that are scalars, lists
 * or null, objects without apiVersion, kind or name, fields of the wrong type deep inside the workload, alias
 * bombs, recursive aliases, tags, dates and binary values, merge keys, duplicate keys, duplicated and
 * conflicting StalwartConfig fragments, BOMs, CRLF, invalid UTF-8, random bytes, empty and blank input. Every
 * answer keeps the contract; invalid UTF-8 is named by its line; fragments merge in stream order with the
 * user's StalwartConfig last.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import type { KubeObject } from "../../src/kube.ts";
import { fragment, stalwartConfig } from "../support/fixtures.ts";

/** overlays/single carries the tls-reload component, and these configs leave `spec.tls` out on purpose. */
const NO_TLS = "tls-reload-component-unused";
import { REPO_ROOT } from "../support/tools.ts";
import {
  applyByteEdits,
  applyObjectEdits,
  applyTextEdits,
  breakIdentity,
  byteEdit,
  emptyishText,
  garbageBytes,
  hostileDocument,
  identityBreak,
  junk,
  noneOrSome,
  objectEdit,
  RAW_SCALARS,
  TAGGED_SCALARS,
  textEdit,
  type IdentityBreak,
  type ObjectEdit,
} from "./arbitraries.ts";
import { assertBothOutcomes, assertContract, assertRendered, assertRun, type Tally } from "./contract.ts";
import { documentsOf, overlay, resourceListText, runKrm, runLegacy, runs, streamText, yamlStyle, yamlText, type Mode } from "./harness.ts";

const single = overlay("overlays/single");
const configText = readFileSync(join(REPO_ROOT, "overlays/single/stalwartconfig.yaml"), "utf8");

/** Fragments as bases carry them, some named like the bases' own, some setting what others set differently. */
const fragmentDocument: fc.Arbitrary<string> = fc
  .record({
    name: fc.constantFrom("base-common", "base-single", "extra", "extra"),
    spec: fc.constantFrom<Record<string, unknown>>(
      { tracer: { console: { level: "debug" } } },
      { tracer: { console: { level: "warn" } } },
      { listeners: { pop3: { enabled: false } } },
      { listeners: null },
      { storage: { backend: "foundationdb" } },
      { extraConfig: { "queue.outbound.hostname": "a.example.com" } },
      { extraConfig: { "queue.outbound.hostname": 42 } },
      {},
    ),
    local: fc.boolean(),
  })
  .map(({ name, spec, local }) => yamlText(local ? fragment(spec, name) : stalwartConfig(spec, name)));

type Doc = KubeObject | string;
type DocEdit =
  | { op: "edit"; doc: number; edits: ObjectEdit[]; read: boolean }
  | { op: "identity"; doc: number; broken: IdentityBreak }
  | { op: "replace" | "insert"; doc: number; text: string }
  | { op: "duplicate" | "drop"; doc: number };

const docEdit: fc.Arbitrary<DocEdit> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("edit" as const), doc: fc.nat(), edits: fc.array(objectEdit, { minLength: 1, maxLength: 3 }), read: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("identity" as const), doc: fc.nat(), broken: identityBreak }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constantFrom("replace" as const, "insert" as const), doc: fc.nat(), text: fc.oneof(hostileDocument, fragmentDocument) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constantFrom("duplicate" as const, "drop" as const), doc: fc.nat() }), weight: 1 },
);

/** The objects the function reads beyond their identity; half the edits go to one of them. */
const READ_KINDS = new Set(["Deployment", "StatefulSet", "Service", "ConfigMap", "StalwartConfig"]);

function applyDocEdits(items: readonly KubeObject[], edits: readonly DocEdit[]): Doc[] {
  const docs: Doc[] = [...items];
  for (const edit of edits) {
    const read = docs.flatMap((doc, index) => (typeof doc !== "string" && READ_KINDS.has(doc.kind) ? [index] : []));
    const at = edit.op === "edit" && edit.read && read.length > 0 ? (read[edit.doc % read.length] ?? 0) : edit.doc % Math.max(docs.length, 1);
    const current = docs[at];
    if ("text" in edit) {
      if (edit.op === "insert") docs.splice(edit.doc % (docs.length + 1), 0, edit.text);
      else docs[at] = edit.text;
    } else if (edit.op === "drop") docs.splice(at, 1);
    else if (current === undefined) continue;
    else if (edit.op === "duplicate") docs.splice(at, 0, current);
    else if (typeof current === "string") continue;
    else if (edit.op === "edit") docs[at] = applyObjectEdits(current, edit.edits);
    else if (edit.op === "identity") docs[at] = breakIdentity(current, edit.broken);
  }
  return docs;
}

const brokenStream = fc.record({
  docEdits: noneOrSome(docEdit, 1, 3),
  style: yamlStyle,
  textEdits: noneOrSome(textEdit, 4, 1, 2),
  byteEdits: noneOrSome(byteEdit, 19, 1, 2),
});

const NUM_STREAMS = 200;

test("legacy protocol: randomly broken resource streams keep the contract", () => {
  const counts: Tally = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(brokenStream, ({ docEdits, style, textEdits, byteEdits }) => {
      const docs = applyDocEdits(single.items, docEdits).map((doc) => (typeof doc === "string" ? doc : yamlText(doc, style)));
      const stream = applyByteEdits(Buffer.from(applyTextEdits(streamText(docs), textEdits)), byteEdits);
      const answer = runLegacy(configText, stream);
      assertRun(answer, "legacy", counts);
    }),
    runs(NUM_STREAMS),
  );
  assertBothOutcomes(counts, NUM_STREAMS);
});

const NUM_LISTS = 100;

test("KRM protocol: ResourceLists with broken items, items that are not a list, and functionConfigs of the wrong kind keep the contract", () => {
  const listBreak = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    { arbitrary: fc.record({ field: fc.constantFrom("items", "functionConfig", "kind"), value: fc.oneof(junk, fc.constantFrom("ResourceList", "List", { a: 1 }, [1, 2])) }), weight: 2 },
    { arbitrary: fc.record({ field: fc.constantFrom("items", "functionConfig", "kind") }), weight: 1 },
    { arbitrary: fc.record({ field: fc.constant("functionConfig"), value: fc.constantFrom(single.items[0], { ...single.config, kind: "ConfigMap" }, { ...single.config, apiVersion: "stalwart.krm.example/v2" }) }), weight: 1 },
  );
  const counts: Tally = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(brokenStream, listBreak, ({ docEdits, style, textEdits, byteEdits }, broken) => {
      const items = applyDocEdits(single.items, docEdits).map((doc) => (typeof doc === "string" ? doc : yamlText(doc, style)));
      const list: Record<string, unknown> = { apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", functionConfig: single.config };
      if (broken && "value" in broken) list[broken.field] = broken.value;
      else if (broken) delete list[broken.field];
      const text = applyTextEdits(broken?.field === "items" ? yamlText(list, style) : resourceListText(list, items), textEdits);
      const answer = runKrm(applyByteEdits(Buffer.from(text), byteEdits));
      assertRun(answer, "krm", counts);
    }),
    runs(NUM_LISTS),
  );
  assertBothOutcomes(counts, NUM_LISTS);
});

test("one field or list entry of the wrong type in the workload, the Service or the ConfigMap is refused or passed through", () => {
  // Mostly a list entry that is null or a scalar: readers that loop over ports, volumes or env trust them to be objects.
  const edit: fc.Arbitrary<ObjectEdit> = fc.oneof(
    { arbitrary: fc.record({ op: fc.constant("element" as const), at: fc.nat(), value: fc.oneof(fc.constant(null), junk) }), weight: 3 },
    { arbitrary: objectEdit, weight: 1 },
  );
  // A ClusterIP Service with the admin Service: shaping it walks every port, not only up to the first mail port.
  const config = yamlText(stalwartConfig({ ...(single.config.spec as Record<string, unknown>), service: { type: "ClusterIP", adminService: { enabled: true } } }));
  fc.assert(
    fc.property(fc.nat(), edit, (doc, edit) => {
      const docs = applyDocEdits(single.items, [{ op: "edit", doc, edits: [edit], read: true }]);
      const answer = runLegacy(config, streamText(docs.map((item) => (typeof item === "string" ? item : yamlText(item)))));
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 0) assertRendered(checked, answer);
    }),
    runs(150),
  );
});

test("raw scalars anywhere in the stream (tags, dates, binary, YAML 1.1 numbers) are read as YAML says, or refused; never written back as something else", () => {
  const stream = streamText(documentsOf(single.items));
  // Tags and dates most often: they turn into values (Date, Buffer) that only YAML has.
  const scalar = fc.oneof(fc.constantFrom(...TAGGED_SCALARS), fc.constantFrom("2001-12-14", "2001-12-14t21:59:43.10-05:00", "!!binary aGVsbG8="), fc.constantFrom(...RAW_SCALARS));
  fc.assert(
    fc.property(fc.nat(), scalar, (at, text) => {
      const answer = runLegacy(configText, applyTextEdits(stream, [{ op: "scalar", at, text }]));
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 0) assertRendered(checked, answer);
    }),
    runs(100),
  );
});

/** The line the first byte that is not UTF-8 is on, counting 0x0A (which never occurs inside a character). */
function firstInvalidLine(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, end === -1 ? bytes.length : end));
    } catch {
      return line;
    }
    if (end === -1) return undefined;
    start = end + 1;
  }
  return undefined;
}

test("garbage, empty and blank input, and streams with bytes that are not UTF-8, under both protocols", () => {
  const valid = streamText(documentsOf(single.items));
  const input = fc.oneof(
    garbageBytes,
    emptyishText.map((text) => new Uint8Array(Buffer.from(text))),
    fc.array(byteEdit, { minLength: 1, maxLength: 2 }).map((edits) => applyByteEdits(Buffer.from(valid), edits)),
    fc.constantFrom("\ufeff", "").map((bom) => new Uint8Array(Buffer.from(bom + valid.replaceAll("\n", "\r\n")))),
  );
  const where = fc.constantFrom<"stdin" | "config">("stdin", "stdin", "config");
  fc.assert(
    fc.property(fc.constantFrom<Mode>("legacy", "krm"), input, where, (mode, bytes, target) => {
      const answer = mode === "krm" ? runKrm(bytes) : target === "config" ? runLegacy(bytes, valid) : runLegacy(configText, bytes);
      const checked = assertContract(answer, mode);
      const invalidLine = firstInvalidLine(bytes);
      if (invalidLine !== undefined) {
        assert.equal(checked.exitCode, 1);
        assert.match(answer.stderr, new RegExp(`is not UTF-8 text \\(line ${invalidLine} holds`), answer.stderr);
      }
      if (Buffer.from(bytes).toString("utf8").replace(/^\ufeff/, "").trim() === "" && (mode === "krm" || target === "stdin")) {
        assert.equal(checked.exitCode, 1, "empty input is an error, not an empty success");
      }
    }),
    runs(400),
  );
});

const levels = ["trace", "debug", "info", "warn", "error"] as const;

test("duplicate and conflicting fragments merge in stream order, and the user's StalwartConfig wins over all", () => {
  const setting = fc.oneof(
    fc.record({ key: fc.constant("tracer.console.level"), values: fc.tuple(fc.constantFrom(...levels), fc.constantFrom(...levels), fc.option(fc.constantFrom(...levels), { nil: undefined })) }).map(({ key, values }) => ({
      key,
      spec: (value: string) => ({ tracer: { console: { level: value } } }),
      values,
      expected: (value: string) => value,
    })),
    fc.record({ key: fc.constant("queue.outbound.hostname"), values: fc.tuple(fc.domain(), fc.domain(), fc.option(fc.domain(), { nil: undefined })) }).map(({ key, values }) => ({
      key,
      spec: (value: string) => ({ extraConfig: { "queue.outbound.hostname": value } }),
      values,
      expected: (value: string) => value,
    })),
  );
  const names = fc.tuple(fc.constantFrom("base-common", "extra-a"), fc.constantFrom("base-common", "extra-a", "extra-b"));
  const items = single.items;
  fc.assert(
    fc.property(setting, names, fc.nat(), fc.nat(), ({ key, spec, values: [first, second, own], expected }, [firstName, secondName], a, b) => {
      const [at, later] = [a % (items.length + 1), b % (items.length + 1)].sort((x, y) => x - y) as [number, number];
      const docs: KubeObject[] = [...items.slice(0, at), fragment(spec(first), firstName), ...items.slice(at, later), fragment(spec(second), secondName), ...items.slice(later)];
      const config = yamlText(stalwartConfig({ hostname: "mail.example.com", acknowledgeWarnings: [NO_TLS], ...(own === undefined ? {} : spec(own)) }));
      const answer = runLegacy(config, streamText(documentsOf(docs)));
      const checked = assertContract(answer, "legacy");
      assert.equal(checked.exitCode, 0, answer.stderr);
      assert.equal(assertRendered(checked, answer)[key], expected(own ?? second));
    }),
    runs(60),
  );
});
