-- Removes the taskqueue outbox and its rows (pending ones included: send or export them first).
DROP TABLE IF EXISTS taskqueue_outbox;
