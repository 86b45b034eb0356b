"""Build the shop-like fixture repositories of the precision benchmark (``fixtures/<name>``).

Three small projects of an online shop, each a short history of ordinary commits:

- ``shop-api`` (Python): a shipping client, a refactor into a class, a black reformat, a commit
  that only drops ``# noqa`` markers, leftover debug output in an importer, a retry loop, a
  backup helper, an export script and tests;
- ``storefront`` (TypeScript/React): a cart drawer, a prettier reformat that also drops an
  ``eslint-disable-line``, a checkout form;
- ``stock-service`` (Go): batch reservations, a moved function and a dropped ``//nolint``, a cache.

Every commit is tagged (``01-shipping-rates``…) and made with a fixed author and date, so the
SHAs are the same on every machine; ``labels.yaml`` names fixture commits by their tags. The
repositories are rebuilt from scratch on every run and never committed (see ``.gitignore``).

    python benchmarks/precision/fixtures.py            # into benchmarks/precision/fixtures/
    python benchmarks/precision/fixtures.py --out DIR
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
Files = dict[str, str | None]

# --------------------------------------------------------------------------- shop-api (Python)
ORDERS_V0 = '''"""Orders: totals, payment capture and persistence."""

import json
import logging

import requests

log = logging.getLogger(__name__)
PAYMENTS_URL = "https://payments.internal/api"


def order_total(lines):
    return sum(line["qty"] * line["unit_price"] for line in lines)


def capture(order):
    resp = requests.post(PAYMENTS_URL + "/capture", json={"order": order["id"], "amount": order_total(order["lines"])})
    return resp.json()


def load_order(path):
    with open(path) as handle:  # noqa: PTH123
        return json.load(handle)


def debug_order(order):
    print("order", order["id"], order_total(order["lines"]))  # noqa: T201
'''

ORDERS_V2 = '''"""Orders: totals, payment capture and persistence."""

import json
import logging

import requests

log = logging.getLogger(__name__)
PAYMENTS_URL = "https://payments.internal/api"


def order_total(lines):
    return sum(line["qty"] * line["unit_price"] for line in lines)


class OrderService:
    """Orders of one shop."""

    def __init__(self, shop_id):
        self.shop_id = shop_id

    def capture(self, order):
        resp = requests.post(PAYMENTS_URL + "/capture", json={"order": order["id"], "amount": order_total(order["lines"])})
        return resp.json()

    def refund(self, order, amount):
        resp = requests.post(PAYMENTS_URL + "/refund", json={"order": order["id"], "amount": amount}, timeout=10)
        return resp.json()

    def load_order(self, path):
        with open(path) as handle:  # noqa: PTH123
            return json.load(handle)

    def debug_order(self, order):
        print("order", order["id"], order_total(order["lines"]))  # noqa: T201
'''

ORDERS_V3 = ORDERS_V2.replace(
    '        resp = requests.post(PAYMENTS_URL + "/capture", json={"order": order["id"], "amount": order_total(order["lines"])})\n',
    '        resp = requests.post(\n'
    '            PAYMENTS_URL + "/capture",\n'
    '            json={"order": order["id"], "amount": order_total(order["lines"])},\n'
    '        )\n',
).replace(
    '        resp = requests.post(PAYMENTS_URL + "/refund", json={"order": order["id"], "amount": amount}, timeout=10)\n',
    '        resp = requests.post(\n'
    '            PAYMENTS_URL + "/refund", json={"order": order["id"], "amount": amount}, timeout=10\n'
    '        )\n',
)

ORDERS_V4 = ORDERS_V3.replace("  # noqa: PTH123", "").replace("  # noqa: T201", "")

CATALOG_V0 = '''"""Catalog: products and their prices."""

from decimal import Decimal


def price_of(product):
    return Decimal(product["price"])


def in_stock(product):
    return product.get("stock", 0) > 0
'''

IMPORTER = '''"""Nightly product import from the supplier feed."""

import csv
import io
import logging

from shop.catalog import price_of

log = logging.getLogger(__name__)


def import_feed(text, store):
    rows = list(csv.DictReader(io.StringIO(text)))
    print("rows", len(rows))
    created = updated = skipped = 0
    for row in rows:
        print("row", row["sku"])
        if not row.get("price"):
            print("skip: no price", row["sku"])
            skipped += 1
            continue
        product = store.get(row["sku"])
        print("found", product is not None)
        if product is None:
            store.create(row["sku"], price_of(row))
            print("created", row["sku"])
            created += 1
        else:
            product.price = price_of(row)
            print("updated", row["sku"], product.price)
            updated += 1
        print("stock", row.get("stock"))
    print("created", created)
    print("updated", updated)
    print("skipped", skipped)
    print("done")
    return created, updated, skipped
'''

SHIPPING = '''"""Shipping rates from the carrier API."""

import csv

import requests

CARRIER_URL = "https://carrier.example/rates"


def quote(weight_kg, country):
    resp = requests.get(CARRIER_URL, params={"w": weight_kg, "c": country})
    resp.raise_for_status()
    return resp.json()["price"]


def quote_with(session_options, weight_kg, country):
    resp = requests.get(CARRIER_URL, params={"w": weight_kg, "c": country}, **session_options)
    return resp.json()["price"]


def load_zone_table(path):
    with open(path, newline="") as handle:
        return {row["country"]: row["zone"] for row in csv.DictReader(handle)}
'''

CLI_V0 = '''"""Command line of the shop back office."""

import sys

from shop.orders import order_total


def main(argv=None):
    args = argv or sys.argv[1:]
    print("shop back office", args)
    return 0
'''

CLI_V1 = CLI_V0.replace('    print("shop back office", args)\n',
                        '    print("shop back office", args)\n'
                        '    if args and args[0] == "quote":\n'
                        '        from shop.shipping import quote\n\n'
                        '        print(quote(float(args[1]), args[2]))\n')

PAYMENTS = '''"""Payment capture with retries."""

import logging
import time
from datetime import datetime

log = logging.getLogger(__name__)


def capture_with_retry(service, order, attempts=3):
    for attempt in range(attempts):
        try:
            return service.capture(order)
        except Exception:
            pass
        time.sleep(2 ** attempt)
    order["failed_at"] = datetime.now()
    return None


def is_paid(order):
    if order["status"] is "paid":
        return True
    return False
'''

BACKUP = '''"""Database backups for the shop."""

import subprocess


def dump(database, target):
    subprocess.run(["pg_dump", "--format=custom", "--file", target, database], capture_output=True)
    return target


def restore(database, source):
    subprocess.run(["pg_restore", "--dbname", database, source], check=True)
'''

EXPORT_SCRIPT = '''"""Export last month's orders to CSV for accounting."""

import csv
import sys


def main(path, orders):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        for order in orders:
            writer.writerow([order["id"], order["customer"], order["total"]])
    print("exported", len(orders), "orders to", path)


if __name__ == "__main__":
    main(sys.argv[1], [])
'''

CATALOG_V7 = CATALOG_V0 + '''

def cheapest(products):
    # TODO: handle products without a price
    return min(products, key=price_of)


if __name__ == "__main__":
    import json
    import sys

    print(cheapest(json.load(sys.stdin)))
'''

TEST_SHIPPING = '''import os

from shop.shipping import load_zone_table

DATA = os.path.join(os.path.dirname(__file__), "data")
ADMIN_PASSWORD = "shopadmin-2024"


def test_zone_table_reads_every_country():
    table = load_zone_table(os.path.join(DATA, "zones.csv"))
    assert table["DE"] == "EU"


def test_fixture_file_is_small():
    with open(os.path.join(DATA, "zones.csv")) as handle:
        assert len(handle.read()) < 10_000
'''

SHOP_API: list[tuple[str, str, Files]] = [
    ("00-initial", "Initial back office", {
        "shop/__init__.py": "", "shop/orders.py": ORDERS_V0, "shop/catalog.py": CATALOG_V0, "shop/cli.py": CLI_V0,
        "tests/__init__.py": "", "tests/data/zones.csv": "country,zone\nDE,EU\nFR,EU\nUS,NA\n",
        "README.md": "# Shop API\n\nThe shop's back office.\n",
    }),
    ("01-shipping-rates", "Quote shipping rates from the carrier", {"shop/shipping.py": SHIPPING, "shop/cli.py": CLI_V1}),
    ("02-order-service", "Move order functions into OrderService; add refunds", {"shop/orders.py": ORDERS_V2}),
    ("03-black", "Reformat with black", {"shop/orders.py": ORDERS_V3}),
    ("04-drop-noqa", "Drop noqa markers now that ruff ignores PTH and T20 in shop/", {"shop/orders.py": ORDERS_V4}),
    ("05-import-feed", "Import the supplier feed nightly", {"shop/importer.py": IMPORTER}),
    ("06-payment-retry", "Retry payment capture; backups", {"shop/payments.py": PAYMENTS, "shop/backup.py": BACKUP}),
    ("07-export", "Accounting export script; cheapest product helper",
     {"scripts/export_orders.py": EXPORT_SCRIPT, "shop/catalog.py": CATALOG_V7}),
    ("08-tests", "Tests for the shipping zone table", {"tests/test_shipping.py": TEST_SHIPPING}),
]

# --------------------------------------------------------------------------- storefront (TypeScript)
CART_V0 = '''import { api } from "./api";

export interface CartItem {
  sku: string;
  qty: number;
  price: number;
}

export async function loadCart(id: string): Promise<CartItem[]> {
  const items = await api.get(`/carts/${id}`, { params: { expand: "items", currency: "EUR" }, timeout: 5000 });
  console.log("cart loaded", items.length); // eslint-disable-line no-console
  return items;
}

export function cartTotal(items: CartItem[]): number {
  return items.reduce((sum, item) => sum + item.qty * item.price, 0);
}
'''

CART_V2 = '''import { api } from './api';

export interface CartItem {
  sku: string;
  qty: number;
  price: number;
}

export function cartTotal(items: CartItem[]): number {
  return items.reduce((sum, item) => sum + item.qty * item.price, 0);
}

export async function loadCart(id: string): Promise<CartItem[]> {
  const items = await api.get(`/carts/${id}`, {
    params: { expand: 'items', currency: 'EUR' },
    timeout: 5000,
  });
  console.log('cart loaded', items.length);
  return items;
}
'''

API = '''export const api = {
  async get(path: string, options: { params?: Record<string, string>; timeout?: number } = {}) {
    const response = await fetch(path + "?" + new URLSearchParams(options.params ?? {}));
    return response.json();
  },
};
'''

CART_DRAWER = '''import React from "react";
import { CartItem, cartTotal } from "../cart";

export function CartDrawer(props: any) {
  const items: CartItem[] = props.items;
  console.log("drawer", items);
  if (items.length == 0) {
    return <p>Your cart is empty</p>;
  }
  return (
    <ul>
      {items.map((item, index) => (
        <li key={index}>
          {item.sku} × {item.qty} <button onClick={() => props.onRemove(item.sku)}>Remove</button>
        </li>
      ))}
      <li>Total: {cartTotal(items)}</li>
    </ul>
  );
}
'''

CHECKOUT = '''import React, { useEffect, useState } from "react";
import { api } from "./api";
import { CartItem } from "./cart";

export async function reserveAll(items: CartItem[]) {
  items.forEach(async (item) => {
    await api.get(`/stock/reserve/${item.sku}`);
  });
}

export function snapshot(items: CartItem[]): CartItem[] {
  return JSON.parse(JSON.stringify(items));
}

export const PRICE_HINT = "Shown when price == list price";

export function CheckoutForm({ cartId }: { cartId: string }) {
  const [methods, setMethods] = useState<string[]>([]);
  useEffect(async () => {
    setMethods(await api.get(`/carts/${cartId}/payment-methods`));
  }, [cartId]);
  return <form>{methods.join(", ")}</form>;
}

export async function submit(cartId: string) {
  try {
    await api.get(`/carts/${cartId}/submit`);
  } catch (e) {}
}
'''

STOREFRONT: list[tuple[str, str, Files]] = [
    ("00-initial", "Storefront skeleton", {"src/cart.ts": CART_V0, "src/api.ts": API,
                                          "package.json": '{"name": "storefront", "private": true}\n'}),
    ("01-cart-drawer", "Cart drawer", {"src/components/CartDrawer.tsx": CART_DRAWER}),
    ("02-prettier", "Apply prettier (single quotes, print width 80); order exports", {"src/cart.ts": CART_V2}),
    ("03-checkout", "Checkout form", {"src/checkout.tsx": CHECKOUT}),
]

# --------------------------------------------------------------------------- stock-service (Go)
STOCK_V0 = '''package stock

import (
	"encoding/json"
	"fmt"
	"net/http"
)

type Item struct {
	SKU   string `json:"sku"`
	Count int    `json:"count"`
}

func Reserve(sku string, n int) error {
	fmt.Println("reserve", sku, n) //nolint:forbidigo
	return nil
}

func Supplier(url string) ([]Item, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("supplier: %w", err)
	}
	defer resp.Body.Close()
	var items []Item
	return items, json.NewDecoder(resp.Body).Decode(&items)
}
'''

STOCK_V2 = '''package stock

import (
	"encoding/json"
	"fmt"
	"net/http"
)

type Item struct {
	SKU   string `json:"sku"`
	Count int    `json:"count"`
}

func Supplier(url string) ([]Item, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("supplier: %w", err)
	}
	defer resp.Body.Close()
	var items []Item
	return items, json.NewDecoder(resp.Body).Decode(&items)
}

func Reserve(sku string, n int) error {
	fmt.Println("reserve", sku, n)
	return nil
}
'''

BATCH = '''package stock

import (
	"context"
	"fmt"
	"net/http"
	"os"
)

func ReserveFiles(paths []string) error {
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		fmt.Printf("reserving from %s\\n", path)
	}
	return nil
}

func Load(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("load %s: %v", path, err)
	}
	return nil
}

func Handler(w http.ResponseWriter, r *http.Request) {
	ctx := context.Background()
	_ = ctx
	resp, err := http.Get("https://supplier.example/stock")
	if err != nil {
		http.Error(w, "supplier down", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
}
'''

MAIN_V0 = '''package main

import (
	"fmt"
	"net/http"
)

func main() {
	mux := http.NewServeMux()
	fmt.Println("listening on :8080")
	srv := &http.Server{Addr: ":8080", Handler: mux}
	_ = srv.ListenAndServe()
}
'''

MAIN_V1 = MAIN_V0.replace('\tsrv := &http.Server{Addr: ":8080", Handler: mux}\n\t_ = srv.ListenAndServe()\n',
                          '\t_ = http.ListenAndServe(":8080", mux)\n')

CACHE = '''package stock

import "sync"

type Cache struct {
	mu    sync.Mutex
	store map[string]*Item
}

func (c *Cache) Get(key string) *Item {
	item, err := c.load(key)
	if err != nil {
		return nil
	}
	return item
}

func (c *Cache) load(key string) (*Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if item, ok := c.store[key]; ok {
		return item, nil
	}
	return nil, errMiss
}
'''

STOCK_SERVICE: list[tuple[str, str, Files]] = [
    ("00-initial", "Stock service", {"internal/stock/stock.go": STOCK_V0, "cmd/stock/main.go": MAIN_V0,
                                    "go.mod": "module example.com/stock\n\ngo 1.22\n"}),
    ("01-batch", "Reserve in batches; plain ListenAndServe", {"internal/stock/batch.go": BATCH,
                                                              "cmd/stock/main.go": MAIN_V1}),
    ("02-reorder", "Order functions by use; drop the nolint now that forbidigo is off",
     {"internal/stock/stock.go": STOCK_V2}),
    ("03-cache", "Cache lookups", {"internal/stock/cache.go": CACHE}),
]

REPOS: dict[str, list[tuple[str, str, Files]]] = {
    "shop-api": SHOP_API, "storefront": STOREFRONT, "stock-service": STOCK_SERVICE,
}


def build(root: Path, commits: list[tuple[str, str, Files]]) -> None:
    """Create the repository at ``root`` (replacing it) with ``commits`` on ``main``, each tagged."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Shop Dev", GIT_AUTHOR_EMAIL="dev@shop.example", GIT_COMMITTER_NAME="Shop Dev",
               GIT_COMMITTER_EMAIL="dev@shop.example", GIT_CONFIG_NOSYSTEM="1", HOME=str(root))

    def git(*args: str, when: str | None = None) -> None:
        extra = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env={**env, **extra})

    git("init", "-q", "-b", "main")
    git("config", "commit.gpgsign", "false")
    git("config", "tag.gpgsign", "false")
    for n, (tag, message, files) in enumerate(commits):
        for path, text in files.items():
            target = root / path
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
        git("add", "-A")
        when = f"2024-03-{n + 1:02d}T10:00:00+00:00"
        git("commit", "-q", "-m", message, when=when)
        git("tag", tag)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "fixtures", help="where to build (default: fixtures/)")
    args = parser.parse_args(argv)
    for name, commits in REPOS.items():
        build(args.out / name, commits)
        print(f"built {args.out / name} ({len(commits)} commits)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
