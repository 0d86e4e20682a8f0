package dev.taskqueue.sample;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** What the shop has left to sell, in the table {@code stock} (schema.sql, data.sql). */
@Repository
public class Stock {

    /** An order lists an item the shop has none of (sold out, or never sold): the order is not placed. */
    public static final class OutOfStockException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String item;

        OutOfStockException(String item) {
            super("'" + item + "' is out of stock");
            this.item = item;
        }

        public String item() {
            return item;
        }
    }

    private final JdbcClient jdbc;

    public Stock(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes one of each item, in the caller's transaction: the row lock each update takes keeps two orders from
     * selling the last lamp twice.
     *
     * @throws OutOfStockException at the first item none is left of (the caller's transaction then rolls back what
     *         was taken)
     */
    public void take(List<String> items) {
        for (String item : items) {
            int taken = jdbc.sql("UPDATE stock SET quantity = quantity - 1 WHERE item = ? AND quantity > 0")
                    .param(item).update();
            if (taken == 0) {
                throw new OutOfStockException(item);
            }
        }
    }
}
