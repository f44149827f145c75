import { SessionlogError } from "./errors.js";

/** A JWT, or a function giving one (called before every request, so it may refresh). */
export type TokenSource = string | (() => string | Promise<string>);

export interface RetryPolicy {
  /** Attempts after the first (default 6). */
  retries: number;
  /** First backoff in milliseconds, doubled on each attempt, with jitter (default 100). */
  baseDelayMs: number;
  /** Longest single wait in milliseconds, `Retry-After` included (default 5000). */
  maxDelayMs: number;
}

export interface TransportOptions {
  baseUrl: string;
  tenant?: string;
  token?: TokenSource;
  retry?: Partial<RetryPolicy>;
  /** Milliseconds before a request without an answer is abandoned and retried (default 30000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Overrides the transport's timeout (long-polling reads wait longer). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Whether the answer is JSON (default) or text (the timeline page's files). */
  text?: boolean;
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** Statuses that mean "nothing was done, or it may be done again safely": resent with the same body. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Sends requests with retries. Every request this client makes is safe to send again: reads are,
 * appends carry client-made event ids (a retry of a stored request answers `duplicate`), a fork
 * retried answers 200 with the same body, and a DELETE retried answers 202 again or 410.
 */
export class Transport {
  private readonly baseUrl: string;
  private readonly tenant: string | undefined;
  private readonly token: TokenSource | undefined;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TransportOptions) {
    if (typeof options?.baseUrl !== "string" || !/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError(`baseUrl must be an http(s) URL (was ${JSON.stringify(options?.baseUrl)})`);
    }
    if (options.tenant !== undefined && (typeof options.tenant !== "string" || options.tenant.length === 0)) {
      throw new TypeError("tenant must be a non-empty string when given");
    }
    if (options.token !== undefined && typeof options.token !== "string" && typeof options.token !== "function") {
      throw new TypeError("token must be a string or a function returning one");
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tenant = options.tenant;
    this.token = options.token;
    this.retry = { retries: 6, baseDelayMs: 100, maxDelayMs: 5000, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async send<T>(request: HttpRequest): Promise<HttpAnswer<T>> {
    const url = this.url(request);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    for (let attempt = 0; ; attempt++) {
      let failure: SessionlogError;
      try {
        const answer = await this.once<T>(request, url, body);
        if (answer.status < 400) return answer;
        failure = SessionlogError.fromAnswer(answer.status, answer.body, retryAfter(answer.headers));
        if (!RETRIED_STATUSES.has(answer.status)) throw failure;
      } catch (error) {
        if (error instanceof SessionlogError && !RETRIED_STATUSES.has(error.status) && error.status !== 0) throw error;
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        failure =
          error instanceof SessionlogError
            ? error
            : new SessionlogError({
                code: "no_answer",
                status: 0,
                message: `${request.method} ${request.path}: no answer (${(error as Error)?.message ?? error})`,
                cause: error,
              });
      }
      if (attempt >= this.retry.retries) throw failure;
      await sleep(this.backoff(attempt, failure.retryAfterSeconds), request.signal);
    }
  }

  private async once<T>(request: HttpRequest, url: string, body: string | undefined) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.tenant !== undefined) headers["x-tenant-id"] = this.tenant;
    if (this.token !== undefined) {
      const token = typeof this.token === "function" ? await this.token() : this.token;
      headers["authorization"] = `Bearer ${token}`;
    }
    const timeout = AbortSignal.timeout(request.timeoutMs ?? this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const response = await this.fetchImpl(url, { method: request.method, headers, body, signal });
    const text = await response.text();
    let parsed: unknown = text;
    if (!request.text || response.status >= 400) {
      try {
        parsed = text.length === 0 ? undefined : JSON.parse(text);
      } catch (cause) {
        if (response.status < 400) {
          throw new SessionlogError({
            code: "unexpected_answer",
            status: response.status,
            message: `${request.method} ${request.path}: the answer is not JSON`,
            cause,
          });
        }
        parsed = { message: text };
      }
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  private url(request: HttpRequest): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.toString();
    return `${this.baseUrl}${request.path}${query ? `?${query}` : ""}`;
  }

  private backoff(attempt: number, retryAfterSeconds: number | undefined): number {
    const exponential = this.retry.baseDelayMs * 2 ** attempt;
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    const asked = retryAfterSeconds === undefined ? 0 : retryAfterSeconds * 1000;
    return Math.min(this.retry.maxDelayMs, Math.max(jittered, asked));
  }
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
