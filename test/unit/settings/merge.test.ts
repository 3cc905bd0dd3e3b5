import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeFragments, originOf } from "../../../src/settings/merge.ts";
import type { Fragment } from "../../../src/settings/fragments.ts";
import { fragment, stalwartConfig } from "../../support/fixtures.ts";

const from = (spec: Record<string, unknown>, name: string, isFunctionConfig = false): Fragment => ({
  object: isFunctionConfig ? stalwartConfig(spec, name) : fragment(spec, name),
  filePath: `${name}.yaml`,
  isFunctionConfig,
});

test("objects merge key by key and later fragments win", () => {
  const merged = mergeFragments([
    from({ listeners: { smtp: { protocol: "smtp", port: 25 } }, tracer: { console: { level: "info" } } }, "base"),
    from({ listeners: { smtp: { port: 2525 } }, hostname: "mail.example.com" }, "user", true),
  ]);
  assert.deepEqual(merged.object.spec, {
    listeners: { smtp: { protocol: "smtp", port: 2525 } },
    tracer: { console: { level: "info" } },
    version: "0.15",
    hostname: "mail.example.com",
  });
  assert.deepEqual(merged.object.metadata, { name: "user" });
});

test("arrays are replaced, not concatenated", () => {
  const merged = mergeFragments([from({ extraConfig: { a: ["1", "2"] } }, "base"), from({ extraConfig: { a: ["3"] } }, "user")]);
  assert.deepEqual((merged.object.spec as { extraConfig: unknown }).extraConfig, { a: ["3"] });
});

test("null removes what an earlier fragment set", () => {
  const merged = mergeFragments([from({ listeners: { pop3: { port: 110 }, imap: { port: 143 } } }, "base"), from({ listeners: { pop3: null } }, "user")]);
  assert.deepEqual((merged.object.spec as { listeners: unknown }).listeners, { imap: { port: 143 } });
  assert.equal(originOf(merged, "/spec/listeners/pop3")?.object.metadata.name, "user");
});

test("each field remembers the fragment that set it last", () => {
  const merged = mergeFragments([
    from({ listeners: { smtp: { protocol: "smtp", port: 25 } } }, "base"),
    from({ listeners: { smtp: { port: 70000 } } }, "user", true),
  ]);
  assert.equal(originOf(merged, "/spec/listeners/smtp/port")?.filePath, "user.yaml");
  assert.equal(originOf(merged, "/spec/listeners/smtp/protocol")?.filePath, "base.yaml");
  assert.equal(originOf(merged, "/spec/listeners/smtp/protocol/deeper")?.filePath, "base.yaml");
});

test("merging does not modify the fragments", () => {
  const base = from({ listeners: { smtp: { port: 25 } } }, "base");
  const before = structuredClone(base.object);
  mergeFragments([base, from({ listeners: { smtp: { port: 26 } } }, "user")]);
  assert.deepEqual(base.object, before);
});
