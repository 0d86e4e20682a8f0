package dev.taskqueue.dashboard;

import java.util.List;

import dev.taskqueue.dashboard.access.AuthorityRights;
import dev.taskqueue.dashboard.access.Right;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthorityRightsTests {

    private final AuthorityRights rights = new AuthorityRights("TASKQUEUE_READ", "TASKQUEUE_OPERATE",
            "TASKQUEUE_ADMIN");

    @Test
    void anAdministratorMayAlsoOperateAndRead() {
        assertThat(rights.rights(List.of("TASKQUEUE_ADMIN"))).containsExactlyInAnyOrder(Right.READ, Right.OPERATE,
                Right.ADMIN);
    }

    @Test
    void anOperatorMayReadButNotAdminister() {
        assertThat(rights.rights(List.of("ROLE_TASKQUEUE_OPERATE"))).containsExactlyInAnyOrder(Right.READ,
                Right.OPERATE);
    }

    @Test
    void otherAuthoritiesGrantNothing() {
        assertThat(rights.rights(List.of("ROLE_USER", "TASKQUEUE_READER"))).isEmpty();
    }
}
