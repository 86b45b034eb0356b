/**
 * The whole product catalogue in memory (about 50 000 products), reloaded every five
 * minutes from the catalogue service. Lookups by ID go through the `byId` map.
 *
 * A product: { id: "SKU-10442", name, priceCents, stock, marginPct, imageUrl }; the search
 * engine indexes products under the same ID.
 */
const RELOAD_MS = 5 * 60 * 1000;

let products = [];
let byId = new Map();

async function reload() {
  const res = await fetch(`${process.env.CATALOG_URL}/v1/products/export`, {
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`catalogue export answered ${res.status}`);
  const next = await res.json();
  products = next;
  byId = new Map(next.map((p) => [p.id, p]));
}

function start(logger) {
  const tick = () => reload().catch((err) => logger.error({ err }, "catalogue reload failed"));
  tick();
  return setInterval(tick, RELOAD_MS);
}

/** Every product, as an array. */
function all() {
  return products;
}

/** One product by ID, or undefined. */
function get(id) {
  return byId.get(id);
}

module.exports = { start, all, get };
