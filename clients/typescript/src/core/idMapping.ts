import { createHash } from "node:crypto";
import { isValidId } from "../ids.js";

/**
 * How a conversation id (an Agents SDK session id, a LangGraph thread_id, an ADK session id) maps
 * to sessionlog session ids. The Java client maps the same way; these rules are the contract
 * between them:
 * - base(c) = c when c is a valid session id not starting with `_sl.`;
 * - else `_sl.x.` + base32(UTF-8 of c) (RFC 4648, lowercase, no padding) when that fits 128;
 * - else `_sl.h.` + hex(SHA-256(UTF-8 of c)) (the original is in the session's first event).
 * Generation n >= 2 lives in derived(`_sl.g<n>.`, base(c)); the generation pointer in
 * derived(`_sl.p.`, base(c)). As-is ids never start with `_sl.`, and the prefixes differ, so no
 * two conversations share a session.
 */
export const RESERVED_PREFIX = "_sl.";
const MAX_ID = 128;

export function baseSessionId(conversationId: string): string {
  if (typeof conversationId !== "string" || conversationId.length === 0) {
    throw new TypeError(`conversation id must be a non-empty string (was ${JSON.stringify(conversationId)})`);
  }
  if (isValidId(conversationId) && !conversationId.startsWith(RESERVED_PREFIX)) return conversationId;
  const encoded = `${RESERVED_PREFIX}x.${base32(Buffer.from(conversationId, "utf8"))}`;
  if (encoded.length <= MAX_ID) return encoded;
  return `${RESERVED_PREFIX}h.${sha256Hex(conversationId)}`;
}

/** `prefix + b` when it fits 128 characters, else `prefix + "h." + hex(SHA-256(b))`. */
export function derivedSessionId(prefix: string, base: string): string {
  const joined = prefix + base;
  return joined.length <= MAX_ID ? joined : `${prefix}h.${sha256Hex(base)}`;
}

/** The session holding generation `generation` (1, 2, ...) of a conversation. */
export function conversationSessionId(conversationId: string, generation = 1): string {
  if (!Number.isInteger(generation) || generation < 1) throw new RangeError(`generation must be 1 or more (was ${generation})`);
  const base = baseSessionId(conversationId);
  return generation === 1 ? base : derivedSessionId(`${RESERVED_PREFIX}g${generation}.`, base);
}

/** The session whose newest event names a conversation's current generation. */
export function pointerSessionId(conversationId: string): string {
  return derivedSessionId(`${RESERVED_PREFIX}p.`, baseSessionId(conversationId));
}

/** Reverses `_sl.x.` ids; `_sl.h.` ids are reversed by reading their ConversationStart event. */
export function conversationIdOf(baseId: string): string | undefined {
  if (!baseId.startsWith(RESERVED_PREFIX)) return baseId;
  if (baseId.startsWith(`${RESERVED_PREFIX}x.`)) {
    return Buffer.from(unbase32(baseId.slice(RESERVED_PREFIX.length + 2))).toString("utf8");
  }
  return undefined;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function unbase32(text: string): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new TypeError(`not lowercase base32: ${JSON.stringify(text)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}
