import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../../src/kube.ts";
import { findFragments } from "../../../src/settings/fragments.ts";
import { findWorkload } from "../../../src/render/workload.ts";
import { fragment, listeners, singleBaseItems, stalwartConfig } from "../../support/fixtures.ts";

/** findFragments as transform calls it: with the stream's workload. */
const search = (items: KubeObject[], config: KubeObject) => findFragments(items, config, undefined, findWorkload(items).workload?.object);
const withoutFragments = () => singleBaseItems().filter((item) => item.kind !== "StalwartConfig");

test("the bases' workload without their fragments, as kustomize 4 hands it over, asks for kustomize 5", () => {
  const { results } = search(withoutFragments(), stalwartConfig({ hostname: "mail.example.com" }));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.listeners");
  assert.match(results[0]?.message ?? "", /kustomize 5 or later is needed \(4\.x drops the bases' settings fragments\)/);
});

test("without fragments, a StalwartConfig that sets the listeners itself is left to the schema", () => {
  assert.deepEqual(search(withoutFragments(), stalwartConfig({ hostname: "mail.example.com", listeners: listeners() })).results, []);
});

test("spec.cluster on a Deployment names the component that set it", () => {
  const items = [...singleBaseItems(), fragment({ cluster: { nats: { auth: { enabled: true } } } }, "component-nats-auth")];
  const { results } = search(items, stalwartConfig({ hostname: "mail.example.com" }));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.resourceRef?.name, "component-nats-auth");
  assert.match(results[0]?.message ?? "", /`spec\.cluster` needs the StatefulSet of base\/cluster.*the component "nats-auth" sets it.*remove the component "nats-auth"$/);
});

test("spec.cluster removed with null by a later fragment is no longer a problem", () => {
  const items = [...singleBaseItems(), fragment({ cluster: { nats: { auth: { enabled: true } } } }, "component-nats-auth")];
  assert.deepEqual(search(items, stalwartConfig({ hostname: "mail.example.com", cluster: null })).results, []);
});
