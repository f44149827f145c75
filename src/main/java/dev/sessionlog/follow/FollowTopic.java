package dev.sessionlog.follow;

import dev.sessionlog.log.StreamKey;

/**
 * What a connection follows: one session (its events), or a tenant's list of sessions (which of
 * them got events, or were erased). Its key is the session's pk, or the tenant's part of a pk with
 * an empty session id, which no session has.
 */
public record FollowTopic(String key) {

    public static FollowTopic session(StreamKey session) {
        return new FollowTopic(session.pk());
    }

    public static FollowTopic tenantList(String tenant) {
        return new FollowTopic(StreamKey.encodeTenant(tenant) + "#");
    }

    public boolean isTenantList() {
        return key.endsWith("#");
    }

    /** The session, or for a tenant's list a key of the tenant with an empty session id. */
    public StreamKey stream() {
        return StreamKey.fromPk(key);
    }
}
