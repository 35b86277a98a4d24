"""PostgreSQL access: connection pool, schema, and every query the store runs.

Run `python -m recordstore.db init` to create the schema and seed the
catalogue (idempotent); the API and the worker also do it at start-up when
the database is reachable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import psycopg
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from recordstore.config import Settings, load_settings

log = logging.getLogger("recordstore.db")

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.sql"
# Serialises concurrent start-ups (API and worker) running the DDL at once.
_SCHEMA_LOCK_KEY = 7_300_001


# Once PostgreSQL is known to be unreachable, requests wait this long at most
# for a connection instead of the full pool timeout: a 503 in a quarter of a
# second rather than seconds of piled-up requests.
FAST_FAIL_TIMEOUT_SECONDS = 0.25
# A failing connection slot stops retrying after this, so the next request
# starts a fresh attempt: recovery after PostgreSQL returns takes seconds, not
# the pool's ever-growing exponential backoff.
RECONNECT_GIVE_UP_SECONDS = 5.0


class DatabaseUnavailable(Exception):
    """PostgreSQL cannot be reached in time; the API maps this to 503."""


class OutOfStock(Exception):
    pass


class OrderNotFound(Exception):
    pass


@dataclass(frozen=True)
class CreatedOrder:
    order_id: int
    created_at: datetime
    total: Decimal
    genre: str
    customer_ltv: Decimal | None


def _instrument_connection(conn: psycopg.Connection) -> None:
    # Per-connection instrumentation: the global one wraps Connection.connect
    # in a proxy object that psycopg_pool does not expect.
    PsycopgInstrumentor().instrument_connection(conn)


def _check_alive(conn: psycopg.Connection) -> None:
    """The pool's liveness probe, through a plain cursor so it adds no span per request."""
    autocommit = conn.autocommit
    conn.autocommit = True
    try:
        psycopg.Cursor(conn).execute("")
    finally:
        conn.autocommit = autocommit


class StorePool(ConnectionPool):
    """A pool that remembers whether PostgreSQL was unreachable at the last attempt."""

    unreachable: bool = False

    def connection_errors(self) -> int:
        return self.get_stats().get("connections_errors", 0)


def create_pool(settings: Settings, application_name: str) -> StorePool:
    """A pool that opens in the background, so a process starts even with the DB down."""
    pool = StorePool(
        conninfo=settings.database_url,
        kwargs={
            "connect_timeout": settings.db_connect_timeout_seconds,
            "application_name": application_name,
        },
        min_size=1,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_pool_timeout_seconds,
        check=_check_alive,
        configure=_instrument_connection,
        reconnect_timeout=RECONNECT_GIVE_UP_SECONDS,
        open=False,
        name=application_name,
    )
    pool.open(wait=False)
    return pool


@contextmanager
def connection(pool: StorePool) -> Iterator[psycopg.Connection]:
    """A pooled connection, committed on success; connection failures become DatabaseUnavailable."""
    was_unreachable = pool.unreachable
    timeout = min(FAST_FAIL_TIMEOUT_SECONDS, pool.timeout) if was_unreachable else pool.timeout
    errors_before = pool.connection_errors()
    try:
        with pool.connection(timeout=timeout) as conn:
            yield conn
    except PoolTimeout as exc:
        # Failed connection attempts while we waited mean PostgreSQL is down;
        # without them the pool was merely saturated.
        pool.unreachable = was_unreachable or pool.connection_errors() > errors_before
        raise DatabaseUnavailable(f"no database connection within {timeout}s") from exc
    except psycopg.OperationalError as exc:
        pool.unreachable = True
        raise DatabaseUnavailable(str(exc).strip()) from exc
    else:
        pool.unreachable = False


def apply_schema(conn: psycopg.Connection) -> None:
    ddl = SCHEMA_PATH.read_text(encoding="utf-8")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
        conn.execute(ddl)


def ensure_schema(pool: StorePool) -> bool:
    """Best effort at start-up: True when applied, False when the DB is not reachable yet."""
    try:
        with suppress_instrumentation(), connection(pool) as conn:
            apply_schema(conn)
        return True
    except DatabaseUnavailable as exc:
        log.warning("schema not applied, database unavailable", extra={"error": str(exc)})
        return False


def ping(pool: StorePool) -> None:
    with connection(pool) as conn:
        conn.execute("SELECT 1")


# --- Catalogue --------------------------------------------------------------
def list_products(pool: StorePool, genre: str | None) -> list[dict]:
    query = "SELECT id, title, artist, genre, price, stock FROM products"
    params: tuple = ()
    if genre:
        query += " WHERE genre = %s"
        params = (genre,)
    query += " ORDER BY id"
    with connection(pool) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def get_product(pool: StorePool, product_id: int) -> dict | None:
    with connection(pool) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT id, title, artist, genre, price, stock FROM products WHERE id = %s",
            (product_id,),
        ).fetchone()


# --- Orders (API side) ------------------------------------------------------
def create_order(
    pool: StorePool,
    *,
    product_id: int,
    quantity: int,
    customer_id: str | None,
    payment_method: str,
    payment_id: str,
    correlation_id: str,
    traceparent: str | None,
) -> CreatedOrder:
    """Reserve stock and insert the order in one transaction, committed on return."""
    with connection(pool) as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        product = cur.execute(
            "UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s"
            " RETURNING price, genre",
            (quantity, product_id, quantity),
        ).fetchone()
        if product is None:
            raise OutOfStock(f"product {product_id} has fewer than {quantity} in stock")
        total = product["price"] * quantity
        order = cur.execute(
            "INSERT INTO orders (product_id, quantity, unit_price, total, customer_id,"
            " payment_method, payment_id, correlation_id, traceparent)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, created_at",
            (
                product_id,
                quantity,
                product["price"],
                total,
                customer_id,
                payment_method,
                payment_id,
                correlation_id,
                traceparent,
            ),
        ).fetchone()
        ltv = None
        if customer_id:
            ltv = cur.execute(
                "SELECT sum(total) AS ltv FROM orders WHERE customer_id = %s", (customer_id,)
            ).fetchone()["ltv"]
    return CreatedOrder(order["id"], order["created_at"], total, product["genre"], ltv)


def mark_enqueued(pool: StorePool, order_id: int) -> None:
    with connection(pool) as conn:
        conn.execute(
            "UPDATE orders SET enqueued_at = clock_timestamp() WHERE id = %s AND enqueued_at IS NULL",
            (order_id,),
        )


def get_order(pool: StorePool, order_id: int) -> dict | None:
    with connection(pool) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT id, product_id, quantity, total, payment_method, correlation_id, status,"
            " processing_attempts, created_at, processed_at, confirmed_at, completed_at"
            " FROM orders WHERE id = %s",
            (order_id,),
        ).fetchone()


# --- Orders (worker side): guarded, idempotent transitions ------------------
def order_status(pool: StorePool, order_id: int) -> str:
    with connection(pool) as conn:
        row = conn.execute("SELECT status FROM orders WHERE id = %s", (order_id,)).fetchone()
    if row is None:
        raise OrderNotFound(f"order {order_id} does not exist")
    return row[0]


def start_processing(pool: StorePool, order_id: int) -> bool:
    """pending|processing -> processing (a redelivery re-enters 'processing'); counts attempts."""
    with connection(pool) as conn:
        row = conn.execute(
            "UPDATE orders SET status = 'processing', processing_attempts = processing_attempts + 1"
            " WHERE id = %s AND status IN ('pending', 'processing') RETURNING id",
            (order_id,),
        ).fetchone()
    return row is not None


def finish_processing(pool: StorePool, order_id: int) -> bool:
    with connection(pool) as conn:
        row = conn.execute(
            "UPDATE orders SET status = 'processed', processed_at = clock_timestamp()"
            " WHERE id = %s AND status = 'processing' RETURNING id",
            (order_id,),
        ).fetchone()
    return row is not None


def confirm(pool: StorePool, order_id: int) -> float | None:
    """processed -> confirmed; returns the journey duration in seconds, None if already confirmed."""
    with connection(pool) as conn:
        row = conn.execute(
            "UPDATE orders SET status = 'confirmed', confirmed_at = clock_timestamp()"
            " WHERE id = %s AND status = 'processed'"
            " RETURNING extract(epoch FROM confirmed_at - created_at)",
            (order_id,),
        ).fetchone()
    return float(row[0]) if row else None


def complete(pool: StorePool, order_id: int) -> bool:
    with connection(pool) as conn:
        row = conn.execute(
            "UPDATE orders SET status = 'completed', completed_at = clock_timestamp()"
            " WHERE id = %s AND status = 'confirmed' RETURNING id",
            (order_id,),
        ).fetchone()
    return row is not None


def stranded_orders(pool: StorePool, older_than_seconds: float, limit: int = 100) -> list[dict]:
    """Orders committed but never handed to the broker (API crashed or broker down)."""
    with connection(pool) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT id, correlation_id, traceparent FROM orders"
            " WHERE status = 'pending' AND enqueued_at IS NULL"
            " AND created_at < clock_timestamp() - make_interval(secs => %s)"
            " ORDER BY created_at LIMIT %s",
            (older_than_seconds, limit),
        ).fetchall()


# --- CLI --------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recordstore.db")
    parser.add_argument("command", choices=["init"], help="init: create the schema and seed products")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "init":
        with psycopg.connect(
            settings.database_url, connect_timeout=settings.db_connect_timeout_seconds
        ) as conn:
            apply_schema(conn)
            count = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        print(f"schema applied; {count} products in catalogue")
    return 0


if __name__ == "__main__":
    sys.exit(main())
