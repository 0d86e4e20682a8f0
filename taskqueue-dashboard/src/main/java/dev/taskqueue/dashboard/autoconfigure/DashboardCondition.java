package dev.taskqueue.dashboard.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Whether to serve the dashboard: never when {@code taskqueue.dashboard.enabled=false}; with Spring Security on the
 * class path, unless so; without it, only when {@code taskqueue.dashboard.enabled=true} (secure by default: a
 * dashboard nobody guards is opt-in, and then for loopback requests only).
 */
class DashboardCondition extends SpringBootCondition {

    static final String SPRING_SECURITY = "org.springframework.security.core.context.SecurityContextHolder";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Boolean enabled = context.getEnvironment().getProperty("taskqueue.dashboard.enabled", Boolean.class);
        if (Boolean.FALSE.equals(enabled)) {
            return ConditionOutcome.noMatch("taskqueue.dashboard.enabled is false");
        }
        if (ClassUtils.isPresent(SPRING_SECURITY, context.getClassLoader())) {
            return ConditionOutcome.match("Spring Security is on the class path: the dashboard is served behind it");
        }
        if (Boolean.TRUE.equals(enabled)) {
            return ConditionOutcome.match("taskqueue.dashboard.enabled is true without Spring Security: the dashboard "
                    + "answers loopback requests only");
        }
        return ConditionOutcome.noMatch("Spring Security is not on the class path and taskqueue.dashboard.enabled is "
                + "not true");
    }
}
