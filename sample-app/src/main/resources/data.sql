-- What the shop sells. The vase is sold out: an order with one fails, and leaves neither order nor task.
INSERT INTO stock (item, quantity) VALUES ('lamp', 1000000), ('desk', 1000000), ('chair', 1000000), ('vase', 0);
