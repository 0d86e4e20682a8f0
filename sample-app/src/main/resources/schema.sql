-- The shop's tables. Spring Boot runs this script (then data.sql) on the embedded H2 at every start
-- (spring.sql.init.mode=embedded, its default); the outbox creates its own table, taskqueue_outbox, after it.
CREATE TABLE IF NOT EXISTS orders (
    id VARCHAR(40) PRIMARY KEY,
    email VARCHAR(320) NOT NULL,
    items VARCHAR(4000) NOT NULL,
    image_id VARCHAR(200) NOT NULL,
    receipt_task VARCHAR(100) NOT NULL,
    thumbnail_task VARCHAR(100) NOT NULL,
    placed_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

-- What the shop sells, and how many are left: placing an order takes one of each item it lists.
CREATE TABLE IF NOT EXISTS stock (
    item VARCHAR(100) PRIMARY KEY,
    quantity INT NOT NULL
);
