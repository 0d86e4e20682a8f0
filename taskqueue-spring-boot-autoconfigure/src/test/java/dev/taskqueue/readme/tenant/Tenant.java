package dev.taskqueue.readme.tenant;

import org.jspecify.annotations.Nullable;

/** The tenant of the current thread: what an application of the README's interceptor example has. */
final class Tenant {

    private static final ThreadLocal<String> CURRENT = ThreadLocal.withInitial(() -> "default");

    private Tenant() {
    }

    static String current() {
        return CURRENT.get();
    }

    static void set(@Nullable String tenant) {
        CURRENT.set(tenant != null ? tenant : "default");
    }

    static void clear() {
        CURRENT.remove();
    }
}
