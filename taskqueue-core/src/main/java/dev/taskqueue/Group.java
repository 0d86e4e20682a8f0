package dev.taskqueue;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Signatures run in parallel. Submitted alone, it gives a {@link GroupHandle} whose result is every member's
 * result in submit order. Followed by a callback (in a {@link Chain}, or with {@link Workflows#chord}) it is a
 * chord's header. Build with {@link Workflows#group}.
 *
 * @param <T> the members' result type ({@code Object} when they differ)
 */
public final class Group<T> implements Signature<List<T>> {

    private final List<Signature<? extends T>> members;
    private final @Nullable String groupId;
    private final List<Signature<?>> links;
    private final List<Signature<?>> errorLinks;

    Group(List<? extends Signature<? extends T>> members, @Nullable String groupId, List<Signature<?>> links,
            List<Signature<?>> errorLinks) {
        members.forEach(member -> Objects.requireNonNull(member, "a group's member"));
        this.members = List.copyOf(members);
        if (groupId != null) {
            TaskIds.check(groupId);
        }
        this.groupId = groupId;
        this.links = List.copyOf(links);
        this.errorLinks = List.copyOf(errorLinks);
    }

    /** Its members, in submit order. */
    public List<Signature<? extends T>> members() {
        return members;
    }

    /** The group id chosen by the caller, or null for a generated one. */
    public @Nullable String groupId() {
        return groupId;
    }

    /** The same group with this id: submitting a group whose id exists again does nothing new (idempotent). */
    public Group<T> withId(String groupId) {
        return new Group<>(members, Objects.requireNonNull(groupId, "groupId"), links, errorLinks);
    }

    @Override
    public List<Signature<?>> links() {
        return links;
    }

    @Override
    public List<Signature<?>> errorLinks() {
        return errorLinks;
    }

    @Override
    public Group<T> link(Signature<?> callback) {
        return new Group<>(members, groupId, Workflows.plus(links, callback), errorLinks);
    }

    @Override
    public Group<T> linkError(Signature<?> errorCallback) {
        return new Group<>(members, groupId, links, Workflows.plus(errorLinks, errorCallback));
    }

    @Override
    public String toString() {
        return "group" + members;
    }
}
