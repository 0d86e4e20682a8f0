package dev.taskqueue.dashboard.access;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The caller as the application's Spring Security authenticated it: the dashboard never bypasses the application's
 * filter chain, and checks on top of it that the caller has the authority each page or action needs. Anonymous
 * callers (a chain that permits the dashboard to all) are not authenticated: 401.
 */
public final class SpringSecurityAccess implements DashboardAccess {

    private final AuthorityRights rights;

    public SpringSecurityAccess(AuthorityRights rights) {
        this.rights = rights;
    }

    @Override
    public Caller caller(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return Caller.anonymous();
        }
        Set<Right> granted = rights.rights(authentication.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority).filter(java.util.Objects::nonNull).toList());
        return new Caller(authentication.getName(), granted);
    }

    @Override
    public @Nullable CsrfToken csrf(HttpServletRequest request) {
        Object attribute = request.getAttribute(org.springframework.security.web.csrf.CsrfToken.class.getName());
        if (attribute instanceof org.springframework.security.web.csrf.CsrfToken token) {
            return new CsrfToken(token.getHeaderName(), token.getParameterName(), token.getToken());
        }
        return null;
    }
}
