import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldPath, fieldPathToPointer, pointerToFieldPath } from "../../../src/settings/field-path.ts";

test("JSON Pointers become dotted field paths with indices and quoted odd keys", () => {
  assert.equal(pointerToFieldPath("/spec/listeners/smtp/port"), "spec.listeners.smtp.port");
  assert.equal(pointerToFieldPath("/spec/items/3/name"), "spec.items[3].name");
  assert.equal(pointerToFieldPath("/spec/extraConfig/spam-filter.enable"), 'spec.extraConfig["spam-filter.enable"]');
  assert.equal(pointerToFieldPath("/spec/a~1b"), 'spec["a/b"]');
});

test("field paths turn back into the pointers they came from", () => {
  for (const pointer of ["/spec/listeners/smtp/port", "/spec/items/3/name", "/spec/extraConfig/spam-filter.enable", "/spec/a~1b", '/spec/extraConfig/say "hi"']) {
    assert.equal(fieldPathToPointer(pointerToFieldPath(pointer)), pointer);
  }
  assert.equal(fieldPath(["spec", "listeners", "http"]), "spec.listeners.http");
});
