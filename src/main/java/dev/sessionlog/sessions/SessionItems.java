package dev.sessionlog.sessions;

/**
 * The sessions table: one item per session, keyed by {@code pk} = tenant#session, holding the
 * fold's state and the summary the list endpoint serves. Sparse indexes: {@value #BY_ACTIVITY}
 * (a tenant's sessions by last activity), {@value #BY_AGENT} (the same per agent) and
 * {@value #OPEN_BY_ACTIVITY} (sessions with open loops, for the idle flush; sharded so that no
 * single index partition takes every write).
 */
public final class SessionItems {
    public static final String PK = "pk";
    public static final String VERSION = "version";
    public static final String RECORDED_THROUGH = "recorded_through";
    public static final String STATE_GZ = "state_gz";
    public static final String STATE_REF = "state_ref";
    public static final String TENANT_KEY = "tenant_key";
    public static final String AGENT_KEY = "agent_key";
    public static final String ACTIVITY = "activity";
    public static final String OPEN_SHARD = "open_shard";
    public static final String SESSION_ID = "session_id";
    public static final String AGENT_ID = "agent_id";
    public static final String CREATED_AT = "created_at";
    public static final String LAST_ACTIVE_AT = "last_active_at";
    public static final String LOOP_COUNT = "loop_count";
    public static final String STATUS = "status";
    public static final String USAGE = "usage";

    public static final String BY_ACTIVITY = "by_activity";
    public static final String BY_AGENT = "by_agent";
    public static final String OPEN_BY_ACTIVITY = "open_by_activity";
    public static final int OPEN_SHARDS = 8;

    private SessionItems() {
    }
}
