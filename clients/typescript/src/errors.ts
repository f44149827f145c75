import type { components } from "./generated/openapi.js";

/** The error codes of the contract (openapi.yaml's ErrorCode). */
export type ErrorCode = components["schemas"]["ErrorCode"];

/**
 * An answer of the service that is not a success, or a request that never got an answer.
 * `code` is the body's `error.code` (contract codes such as `seq_conflict`), `gateway_error` for
 * API Gateway's own `{"message"}` answers, or `no_answer` when the request got none.
 */
export class SessionlogError extends Error {
  readonly code: ErrorCode | "gateway_error" | "no_answer" | "unexpected_answer";
  /** The HTTP status; 0 when there was no answer. */
  readonly status: number;
  /** The body's `error` object as the service sent it (its extra fields included). */
  readonly body: Record<string, unknown> | undefined;
  /** With `seq_conflict`: the session's head. */
  readonly headSeq: number | undefined;
  /** With `partial_duplicate`: the request's event ids that were stored already. */
  readonly storedEventIds: string[] | undefined;
  /** Seconds the service asked to wait (`Retry-After`), on 429 and 503. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    code: SessionlogError["code"];
    status: number;
    message: string;
    body?: Record<string, unknown>;
    retryAfterSeconds?: number;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "SessionlogError";
    this.code = init.code;
    this.status = init.status;
    this.body = init.body;
    this.retryAfterSeconds = init.retryAfterSeconds;
    const headSeq = init.body?.["head_seq"];
    this.headSeq = typeof headSeq === "number" ? headSeq : undefined;
    const stored = init.body?.["stored_event_ids"];
    this.storedEventIds = Array.isArray(stored) ? (stored as string[]) : undefined;
  }

  /** Builds the error from a non-2xx answer's status and parsed body. */
  static fromAnswer(status: number, body: unknown, retryAfterSeconds?: number): SessionlogError {
    const error = (body as { error?: unknown } | undefined)?.error;
    if (error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string") {
      const e = error as Record<string, unknown>;
      return new SessionlogError({
        code: e["code"] as ErrorCode,
        status,
        message: typeof e["message"] === "string" ? (e["message"] as string) : `HTTP ${status}`,
        body: e,
        retryAfterSeconds,
      });
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return new SessionlogError({
      code: "gateway_error",
      status,
      message: typeof message === "string" ? `HTTP ${status}: ${message}` : `HTTP ${status}`,
      body: body && typeof body === "object" ? (body as Record<string, unknown>) : undefined,
      retryAfterSeconds,
    });
  }
}

/** True when `error` is a SessionlogError with one of the given codes. */
export function isSessionlogError(error: unknown, ...codes: SessionlogError["code"][]): error is SessionlogError {
  return error instanceof SessionlogError && (codes.length === 0 || codes.includes(error.code));
}
