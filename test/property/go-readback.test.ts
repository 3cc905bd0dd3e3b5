/**
 * Go's YAML reader (kustomize, kpt, kubectl) reads the function's output as JavaScript does. Go takes NEL,
 * U+2028 and U+2029 for line breaks: written raw, one in an annotation renamed the mail Service, one in an
 * extraConfig value cut config.toml short, and one in an unrelated ConfigMap became a space. Each is placed in
 * an annotation, an extraConfig value, a name and an unrelated ConfigMap (under both protocols), and the
 * output is read back by kubectl; then a few dozen random hostile strings in the same places.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { KubeObject } from "../../src/kube.ts";
import { stalwartConfig } from "../support/fixtures.ts";
import { assertGoReadsAlike, identity, kustomizeRead } from "../support/go-read.ts";
import { hostileString } from "./arbitraries.ts";
import { assertContract, assertRendered, configMapsWithToml } from "./contract.ts";
import { documentsOf, overlay, resourceListText, runKrm, runLegacy, runs, streamText, yamlText, type Mode } from "./harness.ts";

const single = overlay("overlays/single");
const BREAKS = { NEL: "\u0085", LS: "\u2028", PS: "\u2029" } as const;

/** An object the function does not own, with the text in a name, a data key and value, and an annotation. */
function unrelatedConfigMap(text: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `other${text}map`, annotations: { "example.com/note": `a${text}b: c` } }, data: { [`key${text}`]: `x${text}y`, plain: "z" } };
}

interface Placed {
  spec: Record<string, unknown>;
  configName: string;
  extra: KubeObject[];
}

/** The text in every place at once: annotations of the mail Service, an extraConfig value, names, an unrelated ConfigMap. */
function placed(text: string): Placed {
  return {
    spec: {
      ...(single.config.spec as Record<string, unknown>),
      service: { annotations: { "example.com/note": `x${text}name: evil` } },
      extraConfig: { "queue.outbound.hostname": `mx${text}.example.com`, "sieve.trusted.from-name": `Postmaster ${text}` },
    },
    configName: `stalwart${text}`,
    extra: [unrelatedConfigMap(text)],
  };
}

function run(mode: Mode, { spec, configName, extra }: Placed) {
  const config = stalwartConfig(spec, configName);
  const items = [...single.items, ...extra];
  if (mode === "legacy") return runLegacy(yamlText(config), streamText(documentsOf(items)));
  return runKrm(resourceListText({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", functionConfig: config }, documentsOf(items)));
}

for (const [name, character] of Object.entries(BREAKS)) {
  for (const mode of ["legacy", "krm"] as const) {
    test(`${mode}: ${name} in annotations, extraConfig values, names and an unrelated ConfigMap reaches Go as written`, () => {
      const everywhere = placed(character);
      if (character === BREAKS.NEL) {
        // kustomize's own writer turns NEL into a space, or fails: refused where config.toml would hold it.
        const refused = run(mode, everywhere);
        assert.equal(assertContract(refused, mode).exitCode, 1);
        assert.match(refused.stderr, /spec\.extraConfig\["queue\.outbound\.hostname"\]: .*control character/);
        everywhere.spec.extraConfig = { "queue.outbound.hostname": "mx.example.com" };
      }
      const answer = run(mode, everywhere);
      const checked = assertContract(answer, mode);
      assert.equal(checked.exitCode, 0, answer.stderr);
      const toml = assertRendered(checked, answer);
      if (character !== BREAKS.NEL) assert.equal(toml["queue.outbound.hostname"], `mx${character}.example.com`);
      assert.ok(!answer.stdout.includes(character), `a raw ${name} in the output`);
      assertGoReadsAlike(answer.stdout, checked.objects, true);
      if (mode === "legacy" && character !== BREAKS.NEL) {
        // kustomize sorts by kind and drops local-config fragments; it must keep the other objects and their names.
        const names = (objects: readonly unknown[]) => objects.map(identity).sort();
        const kept = checked.objects.filter((object) => object.metadata.annotations?.["config.kubernetes.io/local-config"] === undefined);
        assert.deepEqual(names(kustomizeRead(answer.stdout)), names(kept));
      }
      const service = checked.objects.find((object) => object.kind === "Service" && object.metadata.name === "stalwart");
      assert.equal(service?.metadata.annotations?.["example.com/note"], `x${character}name: evil`);
      assert.equal(configMapsWithToml(checked.objects).length, 1);
    });
  }
}

test("a comment holding a line break Go reads stays a comment", () => {
  const stream = `${streamText(documentsOf(single.items))}---\n# note${BREAKS.LS}kind: Secret\n${yamlText(unrelatedConfigMap(""))}# end${BREAKS.NEL}evil: true\n`;
  const answer = runLegacy(yamlText(single.config), stream);
  const checked = assertContract(answer, "legacy");
  assert.equal(checked.exitCode, 0, answer.stderr);
  assertGoReadsAlike(answer.stdout, checked.objects, true);
});

test("random hostile strings in the same places: refused, or read by Go as JavaScript reads them", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.constantFrom<Mode>("legacy", "krm"), hostileString, (mode, text) => {
      const answer = run(mode, placed(text));
      const checked = assertContract(answer, mode);
      if (checked.exitCode === 1) return;
      accepted++;
      assertRendered(checked, answer);
      assertGoReadsAlike(answer.stdout, checked.objects, true);
    }),
    runs(24),
  );
  assert.ok(accepted >= 5, `only ${accepted} accepted: the property compared almost nothing`);
});
