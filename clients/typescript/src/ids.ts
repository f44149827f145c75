import { randomBytes } from "node:crypto";

/** Session and event ids: 1 to 128 characters of A-Z a-z 0-9 . _ : - (openapi.yaml's Id). */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** Throws a TypeError naming the argument when `id` is not a valid session or event id. */
export function requireId(name: string, id: unknown): string {
  if (!isValidId(id)) {
    throw new TypeError(`${name} must be 1 to 128 characters of A-Z a-z 0-9 . _ : - (was ${JSON.stringify(id)})`);
  }
  return id;
}

let lastMillis = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562): ids made later sort later, also within one millisecond (a 12-bit counter
 * in rand_a), which the service's idempotency lookup rewards with one lookup per append.
 */
export function uuidv7(): string {
  let now = Date.now();
  if (now <= lastMillis) {
    sequence += 1;
    if (sequence > 0xfff) {
      // Counter exhausted within this millisecond: borrow the next one.
      lastMillis += 1;
      sequence = 0;
    }
    now = lastMillis;
  } else {
    lastMillis = now;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((sequence >> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
