import assert from "node:assert/strict";
import { test } from "node:test";
import type { Result } from "../../src/results.ts";
import { acknowledgeWarnings } from "../../src/warnings.ts";
import { settingsFor } from "../support/settings.ts";

const warning: Result = { severity: "warning", code: "listener-port-unused", message: "container port \"pop3\" belongs to listener \"pop3\", which is disabled", field: { path: "spec.template.spec.containers[name=stalwart].ports" } };
const error: Result = { severity: "error", message: "something else" };

test("an unacknowledged warning becomes an error that names its code and how to acknowledge it", () => {
  const [settled] = acknowledgeWarnings([warning], settingsFor({}));
  assert.equal(settled?.severity, "error");
  assert.match(settled?.message ?? "", /which is disabled \(warning `listener-port-unused`: if this is what you want, add "listener-port-unused" to `spec\.acknowledgeWarnings` in your StalwartConfig\)$/);
  assert.deepEqual(settled?.tags, { warning: "listener-port-unused" });
  assert.equal(settled?.field?.path, warning.field?.path);
  assert.equal("code" in (settled ?? {}), false, "the code travels in tags, the field results have in the specification");
});

test("an acknowledged warning becomes an info; other results pass as they are", () => {
  const settled = acknowledgeWarnings([warning, error], settingsFor({ acknowledgeWarnings: ["listener-port-unused"] }));
  assert.deepEqual(settled.map((result) => result.severity), ["info", "error"]);
  assert.match(settled[0]?.message ?? "", /^acknowledged warning `listener-port-unused`: container port "pop3"/);
  assert.equal(settled[1], error);
});

test("an acknowledgement that matches no warning is an info pointing at its entry", () => {
  const settled = acknowledgeWarnings([error], settingsFor({ acknowledgeWarnings: ["tracer-component-unused"] }));
  assert.equal(settled.length, 2);
  assert.equal(settled[1]?.severity, "info");
  assert.equal(settled[1]?.field?.path, "spec.acknowledgeWarnings[0]");
  assert.match(settled[1]?.message ?? "", /"tracer-component-unused" is acknowledged but no longer given; remove it from `spec\.acknowledgeWarnings`/);
});

test("no warning leaves the function as a warning", () => {
  const settled = acknowledgeWarnings([warning, { ...warning, code: "tracer-component-unused" }], settingsFor({ acknowledgeWarnings: ["tracer-component-unused"] }));
  assert.deepEqual(settled.map((result) => result.severity), ["error", "info"]);
});
