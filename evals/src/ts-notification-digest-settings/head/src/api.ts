export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

/** GET a JSON resource of the account API; throws ApiError on a non-2xx answer. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`/api${path}`, { credentials: "include", signal });
  if (!res.ok) {
    throw new ApiError(res.status, await res.text());
  }
  return (await res.json()) as T;
}

/** PUT a JSON body; throws ApiError on a non-2xx answer. */
export async function putJson(path: string, body: unknown): Promise<void> {
  const res = await fetch(`/api${path}`, {
    method: "PUT",
    credentials: "include",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new ApiError(res.status, await res.text());
  }
}
