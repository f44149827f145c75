import type { components, operations } from "./generated/openapi.js";

/** The schemas of openapi.yaml, generated from it at build time (src/generated/openapi.ts). */
export type Schemas = components["schemas"];
export type { components, operations };

export type Event = Schemas["Event"];
export type EventEnvelope = Schemas["EventEnvelope"];
export type AppendRequest = Schemas["AppendRequest"];
export type AppendResponse = Schemas["AppendResponse"];
export type AppendedEvent = Schemas["AppendedEvent"];
export type EventRecord = Schemas["EventRecord"];
export type EventsPage = Schemas["EventsPage"];
export type HeadResponse = Schemas["HeadResponse"];
export type ChildRecord = Schemas["ChildRecord"];
export type ChildrenPage = Schemas["ChildrenPage"];
export type ForkRequest = Schemas["ForkRequest"];
export type ForkResponse = Schemas["ForkResponse"];
export type EraseResponse = Schemas["EraseResponse"];
export type Session = Schemas["Session"];
export type SessionSummary = Schemas["SessionSummary"];
export type SessionList = Schemas["SessionList"];
export type Loop = Schemas["Loop"];
export type LoopPartPage = Schemas["LoopPartPage"];
export type VerifyResult = Schemas["VerifyResult"];
export type FollowTicket = Schemas["FollowTicket"];
export type RebuildResponse = Schemas["RebuildResponse"];

/** The query parameters an operation takes, as openapi.yaml names them. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
