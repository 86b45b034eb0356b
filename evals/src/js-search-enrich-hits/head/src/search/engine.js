const SEARCH_URL = process.env.SEARCH_URL || "http://search.internal:9200";

/** Up to `size` hits for the query: [{ productId, score, highlights: {...} }, ...]. */
async function query(text, size) {
  const res = await fetch(`${SEARCH_URL}/products/_search`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: { match: { name: text } }, size }),
    signal: AbortSignal.timeout(2_000),
  });
  if (!res.ok) throw new Error(`search answered ${res.status}`);
  const body = await res.json();
  return body.hits.hits.map((h) => ({ productId: h._id, score: h._score, highlights: h.highlight || {} }));
}

module.exports = { query };
