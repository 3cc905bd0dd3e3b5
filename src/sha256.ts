/**
 * SHA-256 of a string's UTF-8 bytes, as lower-case hex: the checksum of config.toml. Loading `node:crypto`
 * for one hash of a few kilobytes costs a cold start more than the hash itself (it pulls in streams, ciphers
 * and key objects), so the hash comes from @noble/hashes, an audited implementation in plain JavaScript.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The UTF-8 bytes of `text`, lone surrogates as U+FFFD, as node:crypto and Buffer encode them. */
const encoder = new TextEncoder();

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}
