-- Schema and seed catalogue of the KodeKloud Records Store.
-- Idempotent: safe to run at every start-up (`python -m recordstore.db init`),
-- and usable as-is from /docker-entrypoint-initdb.d in compose.

CREATE TABLE IF NOT EXISTS products (
    id      integer PRIMARY KEY,
    title   text           NOT NULL,
    artist  text           NOT NULL,
    genre   text           NOT NULL,
    price   numeric(10, 2) NOT NULL CHECK (price >= 0),
    stock   integer        NOT NULL CHECK (stock >= 0)
);

CREATE INDEX IF NOT EXISTS products_genre_idx ON products (genre);

-- Status moves forward only: pending -> processing -> processed -> confirmed -> completed.
-- Every transition is an UPDATE guarded by the expected previous status, which
-- is what makes redelivered Celery messages harmless.
CREATE TABLE IF NOT EXISTS orders (
    id                  bigserial      PRIMARY KEY,
    product_id          integer        NOT NULL REFERENCES products (id),
    quantity            integer        NOT NULL CHECK (quantity > 0),
    unit_price          numeric(10, 2) NOT NULL,
    total               numeric(12, 2) NOT NULL,
    customer_id         text,
    payment_method      text           NOT NULL,
    payment_id          text           NOT NULL,
    correlation_id      text           NOT NULL,
    traceparent         text,
    status              text           NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'processed', 'confirmed', 'completed')),
    processing_attempts integer        NOT NULL DEFAULT 0,
    created_at          timestamptz    NOT NULL DEFAULT clock_timestamp(),
    enqueued_at         timestamptz,
    processed_at        timestamptz,
    confirmed_at        timestamptz,
    completed_at        timestamptz
);

CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id);
-- The worker's sweeper looks for orders committed but never handed to RabbitMQ.
CREATE INDEX IF NOT EXISTS orders_not_enqueued_idx ON orders (created_at)
    WHERE status = 'pending' AND enqueued_at IS NULL;

INSERT INTO products (id, title, artist, genre, price, stock) VALUES
    (1,  'Kind of Blue',                  'Miles Davis',          'jazz',       24.99, 1000000),
    (2,  'A Love Supreme',                'John Coltrane',        'jazz',       22.50, 1000000),
    (3,  'Rumours',                       'Fleetwood Mac',        'rock',       27.00, 1000000),
    (4,  'The Dark Side of the Moon',     'Pink Floyd',           'rock',       29.99, 1000000),
    (5,  'Discovery',                     'Daft Punk',            'electronic', 31.00, 1000000),
    (6,  'Selected Ambient Works 85-92',  'Aphex Twin',           'electronic', 26.00, 1000000),
    (7,  'Illmatic',                      'Nas',                  'hip-hop',    23.00, 1000000),
    (8,  'The Low End Theory',            'A Tribe Called Quest', 'hip-hop',    25.00, 1000000),
    (9,  'Goldberg Variations (1981)',    'Glenn Gould',          'classical',  19.99, 1000000),
    (10, 'What''s Going On',              'Marvin Gaye',          'soul',       24.00, 1000000),
    (11, 'Blue',                          'Joni Mitchell',        'folk',       21.00, 1000000),
    (12, 'Thriller',                      'Michael Jackson',      'pop',        28.00, 1000000),
    (13, 'Limited Test Pressing',         'KodeKloud House Band', 'rock',       99.00, 3)
ON CONFLICT (id) DO NOTHING;
