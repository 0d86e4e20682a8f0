package dev.taskqueue.dashboard.access;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Maps authority names to rights: each right has one authority name, matched with or without the {@code ROLE_}
 * prefix (so that both {@code authorities("TASKQUEUE_READ")} and {@code roles("TASKQUEUE_READ")} grant it); admin
 * implies operate, and operate implies read.
 */
public final class AuthorityRights {

    private final String read;
    private final String operate;
    private final String admin;

    public AuthorityRights(String read, String operate, String admin) {
        this.read = read;
        this.operate = operate;
        this.admin = admin;
    }

    /** The rights these authorities grant. */
    public Set<Right> rights(Collection<String> authorities) {
        Set<Right> rights = EnumSet.noneOf(Right.class);
        for (String authority : authorities) {
            String name = authority.startsWith("ROLE_") ? authority.substring(5) : authority;
            if (name.equals(read)) {
                rights.add(Right.READ);
            }
            if (name.equals(operate)) {
                rights.add(Right.OPERATE);
            }
            if (name.equals(admin)) {
                rights.add(Right.ADMIN);
            }
        }
        if (rights.contains(Right.ADMIN)) {
            rights.add(Right.OPERATE); // an administrator who may purge a queue may also pause it
        }
        if (rights.contains(Right.OPERATE)) {
            rights.add(Right.READ);
        }
        return rights;
    }
}
