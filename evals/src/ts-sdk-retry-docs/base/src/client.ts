import { PaymentsError } from "./errors";

export interface ClientOptions {
  apiKey: string;
  baseUrl?: string;
  /** How long one request may take, in milliseconds. Default 30 000. */
  timeoutMs?: number;
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

export class PaymentsClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://api.acme-payments.example").replace(/\/$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  createCharge(charge: ChargeRequest): Promise<Charge> {
    return this.request<Charge>("POST", "/v1/charges", charge);
  }

  getCharge(id: string): Promise<Charge> {
    return this.request<Charge>("GET", `/v1/charges/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        "Content-Type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) {
      throw new PaymentsError(res.status, await res.text());
    }
    return (await res.json()) as T;
  }
}
