import type { SerializerProtocol } from "@langchain/langgraph-checkpoint";

/**
 * A value as the saver's serializer wrote it, kept readable in the log: JSON stays JSON (so curl
 * and the timeline show it), anything else is base64.
 */
export type Serialized = { serde: "json"; json: unknown } | { serde: string; base64: string };

export async function serialize(serde: SerializerProtocol, value: unknown): Promise<Serialized> {
  const [type, bytes] = await serde.dumpsTyped(value);
  if (type === "json") {
    try {
      return { serde: "json", json: JSON.parse(new TextDecoder().decode(bytes)) };
    } catch {
      // Not plain JSON after all: keep its bytes.
    }
  }
  return { serde: type, base64: Buffer.from(bytes).toString("base64") };
}

export async function deserialize(serde: SerializerProtocol, value: Serialized): Promise<unknown> {
  if ("json" in value) return serde.loadsTyped("json", JSON.stringify(value.json));
  return serde.loadsTyped(value.serde, new Uint8Array(Buffer.from(value.base64, "base64")));
}
