import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeFragments } from "../../../src/settings/merge.ts";
import { validateSettings } from "../../../src/settings/validate.ts";
import type { Fragment } from "../../../src/settings/fragments.ts";
import { fragment, listeners, stalwartConfig } from "../../support/fixtures.ts";

function validate(userSpec: Record<string, unknown>, baseSpec: Record<string, unknown> = { listeners: listeners() }) {
  const fragments: Fragment[] = [
    { object: fragment(baseSpec, "base-common"), filePath: "base/common/stalwartconfig.yaml", isFunctionConfig: false },
    { object: stalwartConfig(userSpec), filePath: "overlays/single/stalwartconfig.yaml", isFunctionConfig: true },
  ];
  return validateSettings(mergeFragments(fragments));
}

test("valid settings come back with every default filled in", () => {
  const { settings, results } = validate({ hostname: "mail.example.com" });
  assert.deepEqual(results, []);
  assert.equal(settings?.spec.storage.backend, "rocksdb");
  // No schema default: the line decides it (src/lines.ts rocksDbPath).
  assert.equal(settings?.spec.storage.rocksdb.path, undefined);
  assert.equal(settings?.spec.storage.rocksdb.compression, "lz4");
  assert.equal(settings?.spec.tracer.console.level, "info");
  assert.equal(settings?.spec.tracer.console.ansi, false);
  assert.equal(settings?.spec.listeners.smtp?.enabled, true);
});

test("an unknown field is named with the closest known one, in the file that set it", () => {
  const { results } = validate({ hostname: "mail.example.com", tracer: { consol: { level: "info" } } });
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "error");
  assert.equal(results[0]?.field?.path, "spec.tracer.consol");
  assert.match(results[0]?.message ?? "", /unknown field `consol`; did you mean `console`\?/);
  assert.equal(results[0]?.file?.path, "overlays/single/stalwartconfig.yaml");
  assert.deepEqual(results[0]?.resourceRef, { apiVersion: "stalwart.krm.example/v1alpha1", kind: "StalwartConfig", name: "stalwart" });
});

test("an unknown field with no close match lists the known ones", () => {
  const { results } = validate({ hostname: "mail.example.com", zzzzzz: true });
  assert.match(results[0]?.message ?? "", /unknown field `zzzzzz`; the known fields here are `version`, `upgrade`, `hostname`, `domains`, `publicUrl`/);
});

test("a missing hostname is required in the user's own StalwartConfig, with an example", () => {
  const { results } = validate({});
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.hostname");
  assert.match(results[0]?.message ?? "", /is required: set `spec.hostname`, for example "mail.example.com"/);
  assert.equal(results[0]?.file?.path, "overlays/single/stalwartconfig.yaml");
});

test("a port out of range gives the inclusive range and the value", () => {
  const { results } = validate({ hostname: "mail.example.com", listeners: { smtp: { port: 70000 } } });
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.listeners.smtp.port");
  assert.equal(results[0]?.message, "must be from 1 to 65535, got 70000");
  assert.equal(results[0]?.field?.currentValue, 70000);
});

test("a wrong type names the expected and the received type", () => {
  const { results } = validate({ hostname: "mail.example.com", listeners: { smtp: { port: "25" } } });
  assert.equal(results[0]?.message, 'must be an integer, got string "25"');
});

test("an enum lists the allowed values", () => {
  const { results } = validate({ hostname: "mail.example.com", tracer: { console: { level: "verbose" } } });
  assert.equal(results[0]?.field?.path, "spec.tracer.console.level");
  assert.match(results[0]?.message ?? "", /must be one of `trace`, `debug`, `info`, `warn`, `error`, `disable`, got "verbose"/);
});

test("every problem is reported at once", () => {
  const { results } = validate({ hostname: "Not A Host", listeners: { smtp: { port: 0 } }, tracer: { console: { ansi: "yes" } }, bogus: 1 });
  assert.deepEqual(results.map((result) => result.field?.path).sort(), ["spec.bogus", "spec.hostname", "spec.listeners.smtp.port", "spec.tracer.console.ansi"]);
});

test("a listener id that cannot be a port name is refused with the rule", () => {
  const { results } = validate({ hostname: "mail.example.com", listeners: { "Submission_Port": { protocol: "smtp", port: 2587 } } });
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.listeners.Submission_Port");
  assert.match(results[0]?.message ?? "", /lowercase letters, digits and dashes, at most 15 characters/);
});

test("an extraConfig value of the wrong shape says what shapes are allowed", () => {
  const { results } = validate({ hostname: "mail.example.com", extraConfig: { "queue.limits": { nested: true } } });
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, 'spec.extraConfig["queue.limits"]');
  assert.match(results[0]?.message ?? "", /must be a config.toml value: a string, number, boolean, or a list of strings, got an object/);
});

test("a problem in a base fragment points at the base", () => {
  const base = { listeners: { ...listeners(), smtp: { protocol: "smtpx", port: 25 } } };
  const { results } = validate({ hostname: "mail.example.com" }, base);
  assert.equal(results[0]?.file?.path, "base/common/stalwartconfig.yaml");
  assert.equal(results[0]?.resourceRef?.name, "base-common");
});

test("cluster settings: a missing NATS address and a malformed duration are named with an example", () => {
  const { results } = validate({ hostname: "mail.example.com", cluster: { nats: { pingInterval: "1 minute" } } });
  assert.deepEqual(results.map((result) => result.field?.path).sort(), ["spec.cluster.nats.addresses", "spec.cluster.nats.pingInterval"]);
  assert.match(results.find((result) => result.field?.path === "spec.cluster.nats.pingInterval")?.message ?? "", /has the wrong form: got "1 minute", expected something like "5s"/);
  assert.match(results.find((result) => result.field?.path === "spec.cluster.nats.addresses")?.message ?? "", /is required: set `spec.cluster.nats.addresses`, for example \["nats:\/\/nats.nats.svc:4222"\]/);
});

test("a node id out of range in a role shard is named with its indices", () => {
  const { results } = validate({ hostname: "mail.example.com", cluster: { nats: { addresses: ["nats://n:4222"] }, roles: { pushNotifications: [[1, 600]] } } });
  assert.equal(results[0]?.field?.path, "spec.cluster.roles.pushNotifications[0][1]");
  assert.equal(results[0]?.message, "must be from 1 to 511, got 600");
});

test("a misspelt field gets its did-you-mean, and not also the 'is required' of the field it meant", () => {
  const { results } = validate({ hostnme: "mail.example.com" });
  assert.deepEqual(results.map((result) => result.field?.path), ["spec.hostnme"]);
  assert.match(results[0]?.message ?? "", /did you mean `hostname`\?/);
});

test("a value outside an enum gets a did-you-mean when one is close", () => {
  const { results } = validate({ hostname: "mail.example.com", acknowledgeWarnings: ["listener-port-unsed"] });
  assert.equal(results[0]?.field?.path, "spec.acknowledgeWarnings[0]");
  assert.match(results[0]?.message ?? "", /got "listener-port-unsed"; did you mean `listener-port-unused`\?$/);
  assert.equal(results[0]?.field?.proposedValue, "listener-port-unused");
});

test("a host name of the wrong form says why", () => {
  const { results } = validate({ hostname: "mail.example.com:25" });
  assert.match(results[0]?.message ?? "", /^has the wrong form: got "mail\.example\.com:25"; remove the port ":25"/);
});
