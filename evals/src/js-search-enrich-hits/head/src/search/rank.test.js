const test = require("node:test");
const assert = require("node:assert/strict");
const { enrichHits, rank } = require("./rank");

const products = [
  { id: "SKU-1", name: "Kettle", priceCents: 2999, stock: 40, marginPct: 30, imageUrl: "/i/1.jpg" },
  { id: "SKU-2", name: "Kettle, travel", priceCents: 1999, stock: 0, marginPct: 50, imageUrl: "/i/2.jpg" },
  { id: "SKU-3", name: "Kettle descaler", priceCents: 499, stock: 3, marginPct: 60, imageUrl: "/i/3.jpg" },
];

const hit = (productId, score) => ({ productId, score, highlights: { name: ["<em>Kettle</em>"] } });

test("enrichHits attaches the catalogue fields and leaves the hits untouched", () => {
  const hits = [hit("SKU-1", 2)];
  const [enriched] = enrichHits(hits, products);
  assert.equal(enriched.product.name, "Kettle");
  assert.equal(enriched.product.priceCents, 2999);
  assert.equal(hits[0].product, undefined);
});

test("enrichHits gives unknown products null", () => {
  const [enriched] = enrichHits([hit("SKU-404", 1)], products);
  assert.equal(enriched.product, null);
});

test("rank puts in-stock products first at equal text score", () => {
  const ranked = rank([hit("SKU-2", 1), hit("SKU-3", 1), hit("SKU-1", 1)], products);
  assert.deepEqual(
    ranked.map((h) => h.productId),
    ["SKU-1", "SKU-3", "SKU-2"],
  );
});

test("rank drops hits whose product left the catalogue", () => {
  const ranked = rank([hit("SKU-404", 9), hit("SKU-1", 1)], products);
  assert.deepEqual(
    ranked.map((h) => h.productId),
    ["SKU-1"],
  );
});
