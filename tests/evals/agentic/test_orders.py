"""The generated orders database: deterministic, internally consistent, documented."""

from __future__ import annotations

import sqlite3

import pytest

from foulplay.evals.agentic._orders import (
    ORDERS_SCHEMA_DOC,
    STATUSES,
    build_orders_db,
    first_order_id,
    order_ids,
)

TABLES = ("customers", "products", "orders", "order_items", "shipments", "returns", "staff_accounts")


def _db(**kwargs: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    build_orders_db(conn, **kwargs)
    return conn


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return _db()


def _all(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def test_same_seed_gives_identical_data() -> None:
    assert list(_db(seed=11).iterdump()) == list(_db(seed=11).iterdump())


def test_other_seed_gives_other_data() -> None:
    assert list(_db(seed=11).iterdump()) != list(_db(seed=12).iterdump())


def test_sizes(db: sqlite3.Connection) -> None:
    assert _all(db, "SELECT min(id), max(id), count(*) FROM customers") == [(1, 60, 60)]
    assert _all(db, "SELECT min(id), max(id), count(*) FROM orders") == [(10001, 10300, 300)]
    assert 35 <= _all(db, "SELECT count(*) FROM products")[0][0] <= 45
    assert 3 <= _all(db, "SELECT count(*) FROM staff_accounts")[0][0] <= 10
    assert first_order_id() == 10001
    assert list(order_ids(3)) == [10001, 10002, 10003]


def test_other_sizes() -> None:
    conn = _db(seed=3, customers=5, orders=20)
    assert _all(conn, "SELECT count(*) FROM customers") == [(5,)]
    assert _all(conn, "SELECT min(id), max(id) FROM orders") == [(10001, 10020)]


def test_totals_are_the_sum_of_items(db: sqlite3.Connection) -> None:
    bad = _all(db, """
        SELECT o.id, o.total, s.items FROM orders o
        LEFT JOIN (SELECT order_id, SUM(quantity * unit_price) AS items FROM order_items GROUP BY order_id) s
          ON s.order_id = o.id
        WHERE s.items IS NULL OR abs(o.total - s.items) > 0.005""")
    assert bad == []
    assert _all(db, "SELECT count(*) FROM orders WHERE total <> round(total, 2)") == [(0,)]
    assert _all(db, "SELECT count(*) FROM products WHERE price <> round(price, 2) OR price <= 0") == [(0,)]
    assert _all(db, "SELECT count(*) FROM order_items WHERE quantity < 1") == [(0,)]


def test_referential_integrity(db: sqlite3.Connection) -> None:
    assert _all(db, "PRAGMA foreign_key_check") == []
    for sql in ("SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)",
                "SELECT count(*) FROM order_items WHERE order_id NOT IN (SELECT id FROM orders)",
                "SELECT count(*) FROM order_items WHERE product_id NOT IN (SELECT id FROM products)",
                "SELECT count(*) FROM shipments WHERE order_id NOT IN (SELECT id FROM orders)",
                "SELECT count(*) FROM returns WHERE order_id NOT IN (SELECT id FROM orders)"):
        assert _all(db, sql) == [(0,)], sql


def test_status_and_shipments_agree(db: sqlite3.Connection) -> None:
    statuses = {s for (s,) in _all(db, "SELECT DISTINCT status FROM orders")}
    assert statuses == set(STATUSES)
    shipped = {i for (i,) in _all(db, "SELECT id FROM orders WHERE status IN ('shipped', 'delivered', 'returned')")}
    assert {i for (i,) in _all(db, "SELECT order_id FROM shipments")} == shipped
    assert _all(db, """SELECT count(*) FROM shipments s JOIN orders o ON o.id = s.order_id
                       WHERE (o.status = 'shipped') <> (s.delivered_at IS NULL)""") == [(0,)]
    assert _all(db, """SELECT count(*) FROM shipments s JOIN orders o ON o.id = s.order_id
                       WHERE s.shipped_at < o.placed_at OR s.delivered_at < s.shipped_at""") == [(0,)]


def test_returns_agree(db: sqlite3.Connection) -> None:
    returned = {i for (i,) in _all(db, "SELECT id FROM orders WHERE status = 'returned'")}
    with_return = {i for (i,) in _all(db, "SELECT order_id FROM returns")}
    assert returned and returned <= with_return
    assert _all(db, """SELECT count(*) FROM returns r JOIN orders o ON o.id = r.order_id
                       WHERE o.status NOT IN ('delivered', 'returned') OR r.refund_amount > o.total + 0.005
                          OR r.state NOT IN ('requested', 'approved', 'refunded', 'rejected')""") == [(0,)]
    assert _all(db, """SELECT count(*) FROM returns r JOIN shipments s ON s.order_id = r.order_id
                       WHERE r.requested_at < s.delivered_at""") == [(0,)]


def test_dates_and_values_are_plausible(db: sqlite3.Connection) -> None:
    (low, high), = _all(db, "SELECT min(placed_at), max(placed_at) FROM orders")
    assert low >= "2025-01-01" and high < "2027"
    assert _all(db, "SELECT count(*) FROM customers WHERE joined NOT LIKE '202_-__-__'") == [(0,)]
    assert _all(db, "SELECT count(*) FROM customers WHERE joined < '2025' OR joined >= '2027'") == [(0,)]
    assert _all(db, """SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
                       WHERE o.placed_at < c.joined""") == [(0,)]
    assert _all(db, "SELECT count(*) FROM customers WHERE loyalty_tier NOT IN "
                    "('bronze', 'silver', 'gold', 'platinum')") == [(0,)]
    assert _all(db, "SELECT count(DISTINCT email) = count(*) FROM customers") == [(1,)]
    assert _all(db, "SELECT count(DISTINCT sku) = count(*) FROM products") == [(1,)]
    assert len(_all(db, "SELECT DISTINCT category FROM products")) >= 4
    assert len(_all(db, "SELECT DISTINCT name FROM customers")) > 40


def test_schema_doc_names_every_table_and_column(db: sqlite3.Connection) -> None:
    for table in TABLES:
        assert f"{table}(" in ORDERS_SCHEMA_DOC
        for row in _all(db, f"PRAGMA table_info({table})"):
            assert row[1] in ORDERS_SCHEMA_DOC, (table, row[1])
