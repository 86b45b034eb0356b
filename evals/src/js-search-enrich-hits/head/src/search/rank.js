/**
 * Ranking of search hits: the engine's text score, boosted by stock and margin, so the
 * first page shows products we can actually ship.
 */

const IN_STOCK_BOOST = 1.5;
const LOW_STOCK = 5;
const LOW_STOCK_BOOST = 1.1;
const MARGIN_WEIGHT = 0.2;

/** Attach the catalogue fields the storefront shows to each hit; unknown products get null. */
function enrichHits(hits, products) {
  return hits.map((hit) => {
    const product = products.find((p) => p.id === hit.productId);
    const enriched = JSON.parse(JSON.stringify(hit));
    enriched.product = product
      ? {
          name: product.name,
          priceCents: product.priceCents,
          stock: product.stock,
          marginPct: product.marginPct,
          imageUrl: product.imageUrl,
        }
      : null;
    return enriched;
  });
}

function boost(hit) {
  const { product } = hit;
  if (!product) return 0;
  let factor = 1;
  if (product.stock > LOW_STOCK) {
    factor *= IN_STOCK_BOOST;
  } else if (product.stock > 0) {
    factor *= LOW_STOCK_BOOST;
  }
  const margin = Math.max(0, Math.min(product.marginPct || 0, 100)) / 100;
  return hit.score * factor * (1 + MARGIN_WEIGHT * margin);
}

/** Hits sorted by boosted score, best first; hits whose product left the catalogue are dropped. */
function rank(hits, products) {
  return enrichHits(hits, products)
    .filter((hit) => hit.product !== null)
    .map((hit) => ({ ...hit, rankScore: boost(hit) }))
    .sort((a, b) => b.rankScore - a.rankScore);
}

module.exports = { enrichHits, rank };
