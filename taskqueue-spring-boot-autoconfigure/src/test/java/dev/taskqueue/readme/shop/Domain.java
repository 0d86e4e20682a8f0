package dev.taskqueue.readme.shop;

import java.io.IOException;
import java.util.List;

import dev.taskqueue.Task;
import dev.taskqueue.TaskFailure;

/**
 * What the README's examples call besides taskqueue: a shop's own types, services and task beans. A user has them in
 * files of their own; here they are nested, imported by the examples, and as short as compiling allows.
 */
final class Domain {

    private Domain() {
    }

    record Order(String id, List<String> items) {
    }

    record PricedOrder(Order order, long cents) {
    }

    record Invoice(String orderId, String format, byte[] content) {
    }

    record Receipt(String paymentId, long cents) {
    }

    record Report(String customerId, int year) {
    }

    /** A payment that the bank refused: retrying does not help. */
    static class CardDeclinedException extends RuntimeException {

        CardDeclinedException(String message) {
            super(message);
        }
    }

    interface PaymentGateway {

        boolean isBusy();

        Receipt capture(String paymentId) throws IOException;
    }

    interface ReportRenderer {

        Report render(String reportId);

        Report build(String customerId, int year);
    }

    interface Mailer {

        void send(String to, String text);
    }

    interface Erp {

        void push(String orderId);
    }

    interface Dashboard {

        void refresh();
    }

    interface SearchIndex {

        void reindex(String productId);
    }

    static class Orders {

        @Task(name = "orders.load")
        Order load(String orderId) {
            return new Order(orderId, List.of("lamp"));
        }

        @Task(name = "orders.price")
        PricedOrder price(Order order) {
            return new PricedOrder(order, 1999L * order.items().size());
        }
    }

    static class Invoices {

        @Task(name = "invoices.render")
        Invoice render(PricedOrder order, String format) {
            return new Invoice(order.order().id(), format, new byte[0]);
        }
    }

    static class Receipts {

        @Task(name = "emails.receipt", queue = "emails")
        void send(String orderId, String email) {
        }
    }

    static class Accounting {

        @Task(name = "accounting.book")
        void book(Receipt receipt) {
        }
    }

    static class Alerts {

        @Task(name = "alerts.payment-failed")
        void paymentFailed(TaskFailure failure) {
        }
    }

    static class Stats {

        @Task(name = "stats.sum")
        Long sum(List<Long> counts) {
            return counts.stream().mapToLong(Long::longValue).sum();
        }
    }

    static class Imports {

        @Task(name = "imports.run")
        void run(String file) {
        }
    }

    static class Mail {

        @Task(name = "mail.notify-ops")
        void notifyOps(String text) {
        }
    }
}
