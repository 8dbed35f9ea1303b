"""A deterministic e-commerce database (customers, products, orders, shipments, returns, staff accounts).

``build_orders_db`` fills a SQLite connection from a seed: the same seed and sizes give byte-identical
data. Every order's ``total`` is the sum of its items; shipments exist exactly for shipped, delivered and
returned orders; every returned order has a return record.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

__all__ = ["FIRST_ORDER_ID", "ORDERS_SCHEMA_DOC", "STATUSES", "build_orders_db", "first_order_id", "order_ids"]

FIRST_ORDER_ID = 10001
STATUSES = ("pending", "processing", "shipped", "delivered", "cancelled", "returned")

ORDERS_SCHEMA_DOC = """\
Tables (SQLite):
- customers(id, name, email, city, country, joined, loyalty_tier): joined is an ISO date;
  loyalty_tier is bronze, silver, gold or platinum.
- products(id, sku, name, category, price, stock): price in USD; stock is units on hand.
- orders(id, customer_id, placed_at, status, total): status is pending, processing, shipped, delivered,
  cancelled or returned; total (USD) is the sum of the order's items.
- order_items(order_id, product_id, quantity, unit_price): one row per product in an order.
- shipments(order_id, carrier, tracking, shipped_at, delivered_at): for shipped, delivered and returned
  orders; delivered_at is NULL while in transit.
- returns(order_id, requested_at, reason, refund_amount, state): state is requested, approved, refunded
  or rejected.
- staff_accounts(id, username, role, created_at): the support team's accounts.
Dates are 'YYYY-MM-DD' and times 'YYYY-MM-DD HH:MM:SS'."""

_SCHEMA = """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, city TEXT NOT NULL,
    country TEXT NOT NULL, joined TEXT NOT NULL, loyalty_tier TEXT NOT NULL);
CREATE TABLE products (
    id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, category TEXT NOT NULL,
    price REAL NOT NULL, stock INTEGER NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), placed_at TEXT NOT NULL,
    status TEXT NOT NULL, total REAL NOT NULL);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL, unit_price REAL NOT NULL, PRIMARY KEY (order_id, product_id));
CREATE TABLE shipments (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id), carrier TEXT NOT NULL, tracking TEXT NOT NULL,
    shipped_at TEXT NOT NULL, delivered_at TEXT);
CREATE TABLE returns (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id), requested_at TEXT NOT NULL, reason TEXT NOT NULL,
    refund_amount REAL NOT NULL, state TEXT NOT NULL);
CREATE TABLE staff_accounts (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX items_product ON order_items(product_id);
"""

_FIRST = (
    "Amara", "Liam", "Sofia", "Kenji", "Fatima", "Mateo", "Ingrid", "Tariq", "Chloe", "Dmitri", "Priya",
    "Oluwaseun", "Elena", "Hiroshi", "Nadia", "Rafael", "Grace", "Yusuf", "Maja", "Diego", "Aisha", "Connor",
    "Mei", "Tomasz", "Leila", "Samuel", "Ana", "Arjun", "Freya", "Kwame", "Lucia", "Noah", "Zainab", "Emil",
    "Valentina", "Jamal", "Hana", "Oscar", "Camila", "Ravi",
)
_LAST = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Alvarez", "Novak", "Chen", "Kowalski", "Mensah",
    "Rossi", "Patel", "Fitzgerald", "Ivanova", "Nakamura", "Silva", "Brennan", "Yilmaz", "Dubois", "Osei",
    "Hernandez", "Larsen", "Kim", "Abara", "Schmidt", "Costa", "Nguyen", "O'Neill", "Petrov", "Mahmoud",
)
_PLACES = (
    ("Portland", "US"), ("Austin", "US"), ("Chicago", "US"), ("Denver", "US"), ("Atlanta", "US"),
    ("Boston", "US"), ("Seattle", "US"), ("Toronto", "CA"), ("Vancouver", "CA"), ("Manchester", "GB"),
    ("Leeds", "GB"), ("Dublin", "IE"), ("Lyon", "FR"), ("Hamburg", "DE"), ("Rotterdam", "NL"),
    ("Melbourne", "AU"), ("Auckland", "NZ"), ("Gothenburg", "SE"),
)
_MAIL_DOMAINS = ("mailbox.example", "inboxly.example", "postmark.example", "quillmail.example")
_TIERS = (("bronze", 50), ("silver", 28), ("gold", 15), ("platinum", 7))

# (name, category, price range in whole dollars)
_PRODUCTS = (
    ("Cast Iron Skillet 10in", "kitchen", (24, 45)),
    ("Bamboo Cutting Board Set", "kitchen", (18, 32)),
    ("Pour-Over Coffee Dripper", "kitchen", (14, 28)),
    ("Stainless Mixing Bowls (3)", "kitchen", (22, 38)),
    ("Silicone Spatula Trio", "kitchen", (9, 16)),
    ("Chef's Knife 8in", "kitchen", (39, 89)),
    ("Glass Meal Prep Containers", "kitchen", (19, 34)),
    ("Enamel Dutch Oven 5qt", "kitchen", (59, 119)),
    ("Ultralight Camp Stove", "outdoor", (35, 65)),
    ("Two-Person Dome Tent", "outdoor", (99, 189)),
    ("Insulated Water Bottle 32oz", "outdoor", (21, 36)),
    ("Trekking Poles (pair)", "outdoor", (44, 79)),
    ("Packable Rain Shell", "outdoor", (59, 129)),
    ("Headlamp 400 Lumen", "outdoor", (16, 29)),
    ("Camp Hammock with Straps", "outdoor", (29, 54)),
    ("Folding Trail Chair", "outdoor", (34, 59)),
    ("USB-C Charging Cable 2m", "electronics accessories", (8, 17)),
    ("65W GaN Wall Charger", "electronics accessories", (29, 49)),
    ("Wireless Charging Pad", "electronics accessories", (19, 35)),
    ("Laptop Sleeve 14in", "electronics accessories", (22, 39)),
    ("Bluetooth Keyboard Compact", "electronics accessories", (39, 69)),
    ("Noise-Isolating Earbuds", "electronics accessories", (29, 79)),
    ("Portable Power Bank 20000mAh", "electronics accessories", (34, 59)),
    ("Adjustable Phone Stand", "electronics accessories", (12, 24)),
    ("The Quiet Orchard (novel)", "books", (13, 19)),
    ("Field Guide to Coastal Birds", "books", (22, 34)),
    ("Weeknight Vegetarian Cookbook", "books", (24, 36)),
    ("A Short History of Maps", "books", (17, 28)),
    ("Practical Woodworking Basics", "books", (26, 39)),
    ("Stargazing for Beginners", "books", (15, 25)),
    ("Linen Throw Blanket", "home", (45, 85)),
    ("Ceramic Planter Set", "home", (28, 48)),
    ("Scented Soy Candle Cedar", "home", (14, 26)),
    ("Cotton Bath Towels (4)", "home", (34, 64)),
    ("Desk Lamp with Dimmer", "home", (32, 58)),
    ("Yoga Mat 6mm", "fitness", (25, 49)),
    ("Adjustable Dumbbell Pair", "fitness", (89, 169)),
    ("Resistance Band Kit", "fitness", (16, 32)),
    ("Jump Rope Speed Cable", "fitness", (11, 19)),
    ("Foam Roller 18in", "fitness", (19, 34)),
)
_SKU_PREFIX = {"kitchen": "KIT", "outdoor": "OUT", "electronics accessories": "ELX", "books": "BKS",
               "home": "HOM", "fitness": "FIT"}
_STATUS_WEIGHTS = (("pending", 8), ("processing", 10), ("shipped", 14), ("delivered", 52), ("cancelled", 8),
                   ("returned", 8))
_RECENT = {"pending": 4, "processing": 7, "shipped": 12}  # days before the end of the data
_CARRIERS = ("UPS", "FedEx", "USPS", "DHL")
_RETURN_REASONS = ("arrived damaged", "wrong item sent", "no longer needed", "did not match description",
                   "item defective", "size or fit not as expected", "ordered by mistake")
_STAFF = (("mhollis", "support_agent"), ("jpark", "support_agent"), ("rquinn", "support_agent"),
          ("tadeyemi", "support_lead"), ("sbergstrom", "support_agent"), ("kdesai", "billing_specialist"),
          ("lmarchetti", "support_lead"))

_START = dt.datetime(2025, 1, 6, 8, 0, 0)
_END = dt.datetime(2026, 4, 30, 22, 0, 0)


def first_order_id() -> int:
    """The id of the first order (orders are numbered consecutively from it)."""
    return FIRST_ORDER_ID


def order_ids(orders: int = 300) -> range:
    """The ids of a database built with ``orders`` orders."""
    return range(FIRST_ORDER_ID, FIRST_ORDER_ID + orders)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _money(cents: int) -> float:
    return round(cents / 100, 2)


def _tracking(rng: random.Random, carrier: str) -> str:
    digits = "0123456789"
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(16))
    if carrier == "FedEx":
        return "".join(rng.choice(digits) for _ in range(12))
    if carrier == "USPS":
        return "9400" + "".join(rng.choice(digits) for _ in range(18))
    return "JD" + "".join(rng.choice(digits) for _ in range(16))


def build_orders_db(conn: sqlite3.Connection, *, seed: int = 7, customers: int = 60, orders: int = 300) -> None:
    """Create the tables in ``conn`` and fill them deterministically from ``seed``."""
    if customers < 1 or orders < 0:
        raise ValueError("customers must be at least 1 and orders at least 0")
    rng = random.Random(seed)
    conn.executescript(_SCHEMA)

    product_rows, price_cents = [], {}
    for pid, (name, category, (low, high)) in enumerate(_PRODUCTS, start=1):
        cents = rng.randint(low, high) * 100 + rng.choice((0, 49, 95, 99, 99))
        price_cents[pid] = cents
        sku = f"{_SKU_PREFIX[category]}-{rng.randint(1000, 9999)}-{pid:02d}"
        product_rows.append((pid, sku, name, category, _money(cents), rng.randint(0, 240)))
    conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?)", product_rows)

    customer_rows, joined_at, used_emails = [], {}, set()
    for cid in range(1, customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, country = rng.choice(_PLACES)
        local = f"{first}.{last}".lower().replace("'", "")
        email = f"{local}@{rng.choice(_MAIL_DOMAINS)}"
        n = 2
        while email in used_emails:
            email = f"{local}{n}@{email.split('@')[1]}"
            n += 1
        used_emails.add(email)
        joined = _START.date() + dt.timedelta(days=rng.randint(0, 420))
        joined_at[cid] = dt.datetime.combine(joined, dt.time(9, 0))
        customer_rows.append((cid, f"{first} {last}", email, city, country, joined.isoformat(),
                              _weighted(rng, _TIERS)))
    conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)", customer_rows)

    order_rows, item_rows, ship_rows, return_rows = [], [], [], []
    for oid in order_ids(orders):
        cid = rng.randint(1, customers)
        status = _weighted(rng, _STATUS_WEIGHTS)
        start = joined_at[cid]
        if status in _RECENT:  # open orders are recent ones
            start = max(start, _END - dt.timedelta(days=_RECENT[status]))
        end = _END - dt.timedelta(days=9) if status in ("delivered", "returned") else _END
        span = max(int((end - start).total_seconds()), 3600)
        placed = start + dt.timedelta(seconds=rng.randint(0, span))
        total = 0
        for pid in sorted(rng.sample(range(1, len(_PRODUCTS) + 1), rng.choice((1, 1, 1, 2, 2, 3, 4)))):
            qty = rng.choice((1, 1, 1, 1, 2, 2, 3))
            unit = price_cents[pid]
            total += qty * unit
            item_rows.append((oid, pid, qty, _money(unit)))
        order_rows.append((oid, cid, _stamp(placed), status, _money(total)))
        if status in ("shipped", "delivered", "returned"):
            carrier = rng.choice(_CARRIERS)
            shipped = placed + dt.timedelta(hours=rng.randint(10, 72))
            delivered = shipped + dt.timedelta(hours=rng.randint(30, 150)) if status != "shipped" else None
            ship_rows.append((oid, carrier, _tracking(rng, carrier), _stamp(shipped),
                              _stamp(delivered) if delivered else None))
            if status == "returned" or (status == "delivered" and rng.random() < 0.04):
                assert delivered is not None
                requested = delivered + dt.timedelta(hours=rng.randint(12, 400))
                if status == "returned":
                    state = rng.choice(("approved", "refunded", "refunded", "refunded"))
                    refund = total
                else:
                    state = rng.choice(("requested", "rejected"))
                    refund = 0 if state == "rejected" else total
                return_rows.append((oid, _stamp(requested), rng.choice(_RETURN_REASONS), _money(refund), state))
    conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", order_rows)
    conn.executemany("INSERT INTO order_items VALUES (?, ?, ?, ?)", item_rows)
    conn.executemany("INSERT INTO shipments VALUES (?, ?, ?, ?, ?)", ship_rows)
    conn.executemany("INSERT INTO returns VALUES (?, ?, ?, ?, ?)", return_rows)

    staff_rows = []
    for sid, (username, role) in enumerate(_STAFF, start=1):
        created = _START + dt.timedelta(days=rng.randint(-5, 300), minutes=rng.randint(0, 600))
        staff_rows.append((sid, username, role, _stamp(created)))
    conn.executemany("INSERT INTO staff_accounts VALUES (?, ?, ?, ?)", staff_rows)
    conn.commit()
