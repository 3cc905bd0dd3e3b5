import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { sha256Hex } from "../../src/sha256.ts";

const nodeSha256 = (text: string) => createHash("sha256").update(text).digest("hex");

test("matches the FIPS 180-4 examples", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
});

test("matches node:crypto at every padding boundary and for long texts", () => {
  for (let length = 0; length <= 200; length++) assert.equal(sha256Hex("a".repeat(length)), nodeSha256("a".repeat(length)), `length ${length}`);
  assert.equal(sha256Hex("x".repeat(1_000_003)), nodeSha256("x".repeat(1_000_003)));
});

test("hashes the UTF-8 bytes, as node:crypto does, lone surrogates included", () => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => sha256Hex(text) === nodeSha256(text)), { numRuns: 2000 });
  for (const text of ["\ud800", "a\udc00b", "\ud83d\ude00\ud83d", "\u2028\u0085é😀"]) assert.equal(sha256Hex(text), nodeSha256(text));
});
