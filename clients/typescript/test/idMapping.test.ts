import { describe, expect, it } from "vitest";
import { base32, baseSessionId, conversationIdOf, conversationSessionId, derivedSessionId, pointerSessionId, unbase32 } from "../src/core/idMapping.js";
import { isValidId } from "../src/ids.js";

describe("conversation id mapping (the same rules as the Java client)", () => {
  it("keeps a valid id as it is, and encodes others reversibly", () => {
    expect(baseSessionId("thread-1")).toBe("thread-1");
    expect(baseSessionId("a b")).toBe("_sl.x.meqge"); // RFC 4648 base32 of "a b", lowercase, no padding
    expect(base32(Buffer.from("foobar"))).toBe("mzxw6ytboi");
    expect(Buffer.from(unbase32("mzxw6ytboi")).toString()).toBe("foobar");
    expect(baseSessionId("_sl.x.abc")).toBe(`_sl.x.${base32(Buffer.from("_sl.x.abc"))}`); // the reserved prefix is never as-is
    for (const id of ["a b", "é/ü", "_sl.p.x", "x".repeat(200).slice(0, 70) + " "]) {
      expect(isValidId(baseSessionId(id))).toBe(true);
      expect(conversationIdOf(baseSessionId(id))).toBe(id);
    }
  });

  it("hashes what would not fit, and derives generations and the pointer without collisions", () => {
    const long = "y ".repeat(100);
    expect(baseSessionId(long)).toMatch(/^_sl\.h\.[0-9a-f]{64}$/);
    expect(conversationSessionId("t", 1)).toBe("t");
    expect(conversationSessionId("t", 2)).toBe("_sl.g2.t");
    expect(pointerSessionId("t")).toBe("_sl.p.t");
    expect(derivedSessionId("_sl.g2.", "z".repeat(128))).toMatch(/^_sl\.g2\.h\.[0-9a-f]{64}$/);
    const ids = new Set<string>();
    for (const c of ["t", "t ", "_sl.g2.t", "_sl.p.t", "T"]) {
      for (const id of [conversationSessionId(c, 1), conversationSessionId(c, 2), conversationSessionId(c, 3), pointerSessionId(c)]) {
        expect(ids.has(id), id).toBe(false);
        ids.add(id);
      }
    }
  });
});
