package dev.sessionlog.sessions;

/**
 * The sessions table: one item per session, keyed by {@code pk} = tenant#session, holding the
 * fold's state and the summary the list endpoint serves. Sparse indexes: {@value #BY_ACTIVITY}
 * (a tenant's sessions by last_event_at), {@value #BY_AGENT} (the same per agent) and
 * {@value #OPEN_BY_ACTIVITY} (sessions with open loops, for the idle flush). Each is sharded: a
 * session's index partition is one of {@value #LIST_SHARDS} per tenant (or agent), so that a
 * tenant whose thousands of sessions are all active does not write one index partition past its
 * throughput; a listing reads every shard and merges them.
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

    /** A fork's source (and the seq), and the forks index's key: tenant#source. */
    public static final String FORKED_FROM = "forked_from";
    public static final String FORK_SEQ = "fork_seq";
    public static final String FORK_KEY = "fork_key";
    /** Every session of every tenant by last_event_at, sharded: what retention finds old sessions by. */
    public static final String RETENTION_SHARD = "retention_shard";
    public static final int RETENTION_SHARDS = 8;

    public static final String BY_ACTIVITY = "by_activity";
    public static final String BY_FORK = "by_fork";
    public static final String RETENTION_DUE = "retention_due";
    public static final String BY_AGENT = "by_agent";
    public static final String OPEN_BY_ACTIVITY = "open_by_activity";
    public static final int OPEN_SHARDS = 8;
    public static final int LIST_SHARDS = 8;
    /** Attribute values longer than this are not index keys (DynamoDB allows 2048 bytes): a digest stands in. */
    static final int MAX_KEY_PART_CHARS = 256;
    /** What the summary keeps of an agent id (the materialized session has all of it). */
    static final int MAX_SUMMARY_AGENT_ID_CHARS = 1024;
    /** When the newest event known to be on the archive's due index was recorded (epoch ms): see ArchiveMeta.certainlyDue. */
    public static final String DUE_MARKED_AT = "due_marked_at";
    /** A save's own mark: a retried save that finds it knows the item is its own write. */
    public static final String WRITE_ID = "write_id";
    /** Set by a DELETE (hideFromLists): the session is being erased, and its item is as good as gone. */
    public static final String ERASING = "erasing";

    /** The list shard of a session: stable, so that every save of it writes the same index partition. */
    public static int listShard(String sessionId) {
        return Math.floorMod(sessionId.hashCode(), LIST_SHARDS);
    }

    public static String tenantKey(String tenant, int shard) {
        return dev.sessionlog.log.StreamKey.encodeTenant(tenant) + "#" + shard;
    }

    public static String forkKey(String tenant, String sourceSessionId) {
        return dev.sessionlog.log.StreamKey.encodeTenant(tenant) + "#" + sourceSessionId;
    }

    public static String retentionShard(String pk) {
        return "retention#" + Math.floorMod(pk.hashCode(), RETENTION_SHARDS);
    }

    public static String agentKey(String tenant, String agentId, int shard) {
        return dev.sessionlog.log.StreamKey.encodeTenant(tenant) + "#" + keyPart(agentId) + "#" + shard;
    }

    /** A value as part of an index key: itself when short, else a digest of it (ids any client may send). */
    static String keyPart(String value) {
        if (value.length() <= MAX_KEY_PART_CHARS && value.indexOf('#') < 0) {
            return value;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SessionItems() {
    }
}
