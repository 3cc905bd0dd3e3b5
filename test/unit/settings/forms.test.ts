import assert from "node:assert/strict";
import { test } from "node:test";
import { whyMalformed, whyNotHostname, whyNotNatsAddress } from "../../../src/settings/forms.ts";

test("a host name of the wrong form gets the reason and, where there is one, the right value", () => {
  const cases: [string, RegExp][] = [
    ["https://mail.example.com", /remove the scheme "https:\/\/"/],
    ["mail.example.com:25", /remove the port ":25"/],
    ["mail.example.com/webmail", /remove the path "\/webmail"/],
    ["Mail.Example.com", /uppercase letters: write it in lowercase, "mail\.example\.com"/],
    ["mail_1.example.com", /underscore/],
    ["mail.example.com.", /remove the trailing dot: "mail\.example\.com"/],
    ["mail..example.com", /empty label/],
    [`${"a".repeat(64)}.example.com`, /is 64 characters long; a label has at most 63/],
    [`${"abcdefghi.".repeat(26)}com`, /is 263 characters long; a host name has at most 253/],
    ["-mail.example.com", /starts or ends with a hyphen/],
    ["mail example.com", /space/],
    ["postmaster@example.com", /not a mail address/],
    ["mail!.example.com", /holds "!"/],
    ["", /empty/],
  ];
  for (const [name, reason] of cases) assert.match(whyNotHostname(name) ?? "", reason, name);
  assert.equal(whyNotHostname("mail.example.com"), undefined);
});

test("a wildcard is allowed first in a certificate name only", () => {
  assert.equal(whyNotHostname("*.example.com", true), undefined);
  assert.match(whyNotHostname("*.example.com") ?? "", /remove the wildcard/);
  assert.match(whyNotHostname("mail.*.example.com", true) ?? "", /only be the first label/);
});

test("a NATS address of the wrong form gets the reason", () => {
  const cases: [string, RegExp][] = [
    ["http://nats:4222", /the scheme "http:\/\/" is not one NATS clients take/],
    ["nats://a:4222,nats://b:4222", /several addresses: give each its own list item/],
    ["nats://a:4222 nats://b:4222", /several addresses/],
    ["nats://user:secret@nats:4222", /remove the user and password/],
    ["nats://nats:4222/x", /remove the path "\/x"/],
    ["nats://", /host is missing/],
    ["nats!:4222", /holds "!"/],
  ];
  for (const [address, reason] of cases) assert.match(whyNotNatsAddress(address) ?? "", reason, address);
  for (const address of ["nats://nats.nats.svc:4222", "tls://nats:4222", "nats:4222", "[::1]:4222"]) assert.equal(whyNotNatsAddress(address), undefined, address);
});

test("only the host name and NATS address fields are explained", () => {
  assert.match(whyMalformed(["spec", "hostname"], "Mail.example.com") ?? "", /lowercase/);
  assert.match(whyMalformed(["spec", "tls", "dnsNames", "3"], "mail.example.com.") ?? "", /trailing dot/);
  assert.match(whyMalformed(["spec", "cluster", "nats", "addresses", "0"], "http://nats:4222") ?? "", /scheme/);
  assert.equal(whyMalformed(["spec", "publicUrl"], "Mail.example.com"), undefined);
});
