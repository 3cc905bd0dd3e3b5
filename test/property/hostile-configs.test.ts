/**
 * Thousands of StalwartConfigs broken at random (fields deleted, mistyped, added, strings injected, YAML
 * rewritten as raw scalars, tags and duplicate keys, bytes that are not UTF-8), under both protocols: every
 * answer keeps the contract (exit code 0 or 1, parseable stdout, one clean stderr line per problem, an error
 * named whenever the exit code is 1), and every accepted one renders config.toml that Stalwart reads as TOML
 * does. Numbers at the edges of what YAML, JavaScript and TOML represent are written exactly or refused;
 * extraConfig keys that nest in each other or that every JavaScript object inherits (`constructor`) land
 * exactly as given or are refused naming the key; a `__proto__` key is an ordinary key, not a prototype.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { stalwartConfig } from "../support/fixtures.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";
import {
  aliasTrap,
  applyByteEdits,
  applyObjectEdits,
  applyTextEdits,
  breakIdentity,
  byteEdit,
  EDGE_NUMBERS,
  identityBreak,
  INHERITED_KEYS,
  junk,
  noneOrSome,
  objectEdit,
  onceIn,
  RAW_SCALARS,
  textEdit,
} from "./arbitraries.ts";
import { assertBothOutcomes, assertContract, assertRendered, assertRun, type Tally } from "./contract.ts";
import { overlay, OVERLAYS, runKrm, runLegacy, runs, yamlStyle, yamlText, type YamlStyle } from "./harness.ts";
import { SEEDS } from "./seeds.ts";

/** overlays/single carries the tls-reload component, and these configs leave `spec.tls` out on purpose. */
const NO_TLS = "tls-reload-component-unused";

/** A seed StalwartConfig of the overlay, broken in zero to four places, written as YAML in a random style. */
const brokenConfig = (name: (typeof OVERLAYS)[number]) =>
  fc.record({
    seed: fc.constantFrom(...SEEDS[name]),
    // Two in five untouched, so that the accepted path (and every YAML style and text edit on it) stays common.
    edits: noneOrSome(objectEdit, 2, 3, 4),
    identity: onceIn(10, identityBreak),
    style: yamlStyle,
    textEdits: noneOrSome(textEdit, 3),
    byteEdits: noneOrSome(byteEdit, 19),
    trap: onceIn(12, aliasTrap),
  });

/** The config as YAML; with a trap, an alias trap beside its fields (in block style, so that it stays valid YAML). */
function configText(config: unknown, style: YamlStyle, trap?: string): string {
  return trap ? `${yamlText(config, { ...style, collectionStyle: "block" })}trap:\n${trap}` : yamlText(config, style);
}

test("every seed StalwartConfig is accepted, so that the broken ones start from something valid", () => {
  for (const name of OVERLAYS) {
    for (const seed of SEEDS[name]) {
      const answer = runLegacy(yamlText(stalwartConfig(seed)), kustomizeInput(name));
      assert.equal(assertContract(answer, "legacy").exitCode, 0, `${name}: ${answer.stderr}`);
    }
  }
});

const NUM_CONFIGS = 250;

for (const name of OVERLAYS) {
  test(`legacy protocol, ${name}: randomly broken StalwartConfigs keep the contract`, () => {
    const stream = kustomizeInput(name);
    const counts: Tally = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(brokenConfig(name), ({ seed, edits, identity, style, textEdits, byteEdits, trap }) => {
        let config = applyObjectEdits(stalwartConfig(seed), edits);
        if (identity) config = breakIdentity(config, identity);
        const text = applyTextEdits(configText(config, style, trap), textEdits);
        const answer = runLegacy(applyByteEdits(Buffer.from(text), byteEdits), stream);
        assertRun(answer, "legacy", counts);
      }),
      runs(NUM_CONFIGS),
    );
    assertBothOutcomes(counts, NUM_CONFIGS);
  });
}

/** Ways to break the ResourceList around a valid or broken functionConfig. */
const resourceListBreak = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.record({ field: fc.constantFrom("items", "functionConfig", "kind", "apiVersion"), value: junk }), weight: 2 },
  { arbitrary: fc.record({ field: fc.constantFrom("items", "functionConfig", "kind", "apiVersion") }), weight: 1 },
  { arbitrary: fc.record({ field: fc.constant("functionConfig.kind"), value: fc.constantFrom("ConfigMap", "ResourceList", "stalwartconfig", "") }), weight: 1 },
);

const NUM_KRM = 200;

test("KRM protocol: randomly broken functionConfigs and ResourceLists keep the contract, a ResourceList always written", () => {
  const inputs = Object.fromEntries(OVERLAYS.map((name) => [name, overlay(name).items]));
  const counts: Tally = { accepted: 0, refused: 0 };
  const cases = fc.constantFrom(...OVERLAYS).chain((name) => fc.record({ name: fc.constant(name), config: brokenConfig(name), listBreak: resourceListBreak }));
  fc.assert(
    fc.property(cases, ({ name, config: { seed, edits, identity, style, textEdits, byteEdits }, listBreak }) => {
      let functionConfig = applyObjectEdits(stalwartConfig(seed), edits);
      if (identity) functionConfig = breakIdentity(functionConfig, identity);
      const list: Record<string, unknown> = { apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: inputs[name], functionConfig };
      if (listBreak?.field === "functionConfig.kind") (functionConfig as Record<string, unknown>).kind = listBreak.value;
      else if (listBreak && "value" in listBreak) list[listBreak.field] = listBreak.value;
      else if (listBreak) delete list[listBreak.field];
      const text = applyTextEdits(yamlText(list, style), textEdits);
      const answer = runKrm(applyByteEdits(Buffer.from(text), byteEdits));
      assertRun(answer, "krm", counts);
    }),
    runs(NUM_KRM),
  );
  assertBothOutcomes(counts, NUM_KRM);
});

/** A number as YAML text: the edge cases, YAML 1.1's own spellings, and integers beyond every machine type. */
const numberText = fc.oneof(
  fc.constantFrom(...RAW_SCALARS.filter((raw) => /^[-+.0-9a-zA-Z_:]+$/.test(raw) && typeof parse(raw, { version: "1.1" }) === "number")),
  fc.constantFrom(...EDGE_NUMBERS).map((value) => yamlText(value).trim()),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double().map((value) => yamlText(value).trim()),
);

test("numbers at the edges in extraConfig are written so that Stalwart reads the same number, or refused naming it", () => {
  const stream = kustomizeInput("overlays/single");
  const config = yamlText(stalwartConfig({ hostname: "mail.example.com", acknowledgeWarnings: [NO_TLS], extraConfig: { "queue.limit.size": 1 } }));
  fc.assert(
    fc.property(numberText, (raw) => {
      const value = parse(raw, { version: "1.1" }) as unknown;
      assert.equal(typeof value, "number", raw);
      const answer = runLegacy(config.replace(/queue\.limit\.size: 1/, `queue.limit.size: ${raw}`), stream);
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 1) {
        const line = checked.errorLines.find((error) => error.includes('spec.extraConfig["queue.limit.size"]'));
        assert.ok(line, `the error names the field\n${answer.stderr}`);
        if (!Number.isFinite(value)) assert.ok(line.includes(String(value)), `the error names the value ${String(value)}\n${line}`);
        return;
      }
      const written = assertRendered(checked, answer)["queue.limit.size"] ?? "";
      // -0 is written as 0, which no setting tells apart.
      assert.ok(Number(written) === value, `${raw} was written as ${written}`);
      // Stalwart reads integer settings with Rust's integer parsing, which takes no fraction and no exponent.
      if (Number.isInteger(value)) assert.match(written, /^-?[0-9]+$/, `the integer ${raw} was written as ${written}`);
    }),
    runs(100),
  );
});

test("keys every JavaScript object inherits (`__proto__`, `constructor`) are ordinary keys of a StalwartConfig", () => {
  const stream = kustomizeInput("overlays/single");
  const inheritedKeyEdit = fc.record({ op: fc.constant("add" as const), at: fc.nat(), key: fc.constantFrom(...INHERITED_KEYS), value: fc.oneof(junk, fc.constant({ tls: { issuerRef: { name: "x" } }, polluted: true })) });
  fc.assert(
    fc.property(fc.constantFrom(...SEEDS["overlays/single"]), fc.array(inheritedKeyEdit, { minLength: 1, maxLength: 2 }), (seed, edits) => {
      const answer = runLegacy(yamlText(applyObjectEdits(stalwartConfig(seed), edits)), stream);
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 0) assertRendered(checked, answer);
    }),
    runs(60),
  );
});

/** Keys from a few segments, so that one is often the prefix of another, including names every object inherits. */
const extraKey = fc.array(fc.constantFrom("queue", "a", "b", "constructor", "tostring", "valueof", "0000", "x-y"), { minLength: 1, maxLength: 3 }).map((segments) => segments.join("."));
const extraValue = fc.oneof(fc.string({ maxLength: 6 }).filter((text) => !/[\\\u0000-\u001f\u007f]/.test(text)), fc.integer(), fc.boolean(), fc.array(fc.constantFrom("p", "q"), { maxLength: 2 }));

test("extraConfig keys land in config.toml exactly as given, or the run names the key that cannot", () => {
  const stream = kustomizeInput("overlays/single");
  let accepted = 0;
  fc.assert(
    fc.property(fc.dictionary(extraKey, extraValue, { minKeys: 1, maxKeys: 4 }), (extraConfig) => {
      const answer = runLegacy(yamlText(stalwartConfig({ hostname: "mail.example.com", acknowledgeWarnings: [NO_TLS], extraConfig })), stream);
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 1) {
        assert.ok(Object.keys(extraConfig).some((key) => answer.stderr.includes(JSON.stringify(key))), `the error names a key\n${answer.stderr}`);
        return;
      }
      accepted++;
      const flat = assertRendered(checked, answer);
      for (const [key, value] of Object.entries(extraConfig)) {
        if (Array.isArray(value)) value.forEach((item, index) => assert.equal(flat[`${key}.${String(index).padStart(4, "0")}`], item, key));
        else assert.equal(flat[key], String(value), key);
      }
    }),
    runs(100),
  );
  assert.ok(accepted > 10, `only ${accepted} accepted`);
});
