import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { PaymentsError } from "./errors";

export interface ClientOptions {
  apiKey: string;
  baseUrl?: string;
  /** How long one attempt may take, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 429 and 503. Default 2. */
  maxRetries?: number;
}

export interface ChargeRequest {
  amount: number;
  currency: string;
  source: string;
}

export interface Charge {
  id: string;
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed";
}

const RETRYABLE_STATUS = new Set([429, 503]);
const MAX_BACKOFF_MS = 8_000;

export class PaymentsClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  constructor(options: ClientOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://api.acme-payments.example").replace(/\/$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
  }

  createCharge(charge: ChargeRequest): Promise<Charge> {
    return this.request<Charge>("POST", "/v1/charges", charge);
  }

  getCharge(id: string): Promise<Charge> {
    return this.request<Charge>("GET", `/v1/charges/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.apiKey}`,
      "Content-Type": "application/json",
    };
    if (method === "POST") {
      // The same key on every attempt, so a retried POST cannot charge twice.
      headers["Idempotency-Key"] = randomUUID();
    }
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.baseUrl + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if (attempt >= this.maxRetries) throw err;
        await sleep(backoffMs(attempt, null));
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && attempt < this.maxRetries) {
        await sleep(backoffMs(attempt, res.headers.get("retry-after")));
        continue;
      }
      if (!res.ok) {
        throw new PaymentsError(res.status, await res.text());
      }
      return (await res.json()) as T;
    }
  }
}

/** Retry-After when the server sent seconds, else capped exponential backoff with jitter. */
function backoffMs(attempt: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.min(seconds * 1000, MAX_BACKOFF_MS);
  }
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
