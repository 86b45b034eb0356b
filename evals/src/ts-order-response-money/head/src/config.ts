function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export const config = {
  databaseUrl: process.env.DATABASE_URL,
  // One variable for every paginated endpoint.
  pageSize: intFromEnv("API_PAGE_SIZE", 25),
};
