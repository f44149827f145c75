package dev.sessionlog.api;

/**
 * What one tenant may hold of the service at once, each a fraction of what all share, so that no
 * tenant can take the pool from the others.
 *
 * @param maxWaits          MAX_WAITS_PER_TENANT: reads waiting for events (wait=N) at once (default 10, a fifth of the
 *                          tail function's 50 reserved executions; 0 turns waits off)
 * @param maxVerifies       MAX_VERIFIES_PER_TENANT: verify calls at once (default 2; each reads up to 10,000 records)
 * @param requestsPerSecond TENANT_REQUESTS_PER_SECOND: API requests a second (default 100, a tenth of the stage's
 *                          1,000; 0: no limit)
 */
public record TenantLimits(int maxWaits, int maxVerifies, int requestsPerSecond) {

    public static final TenantLimits DEFAULTS = new TenantLimits(10, 2, 100);
    /** The local runner's and the tests': no rate limit (one developer, load tests welcome), the rest as on AWS. */
    public static final TenantLimits LOCAL = new TenantLimits(10, 2, 0);

    public TenantLimits withMaxWaits(int max) {
        return new TenantLimits(max, maxVerifies, requestsPerSecond);
    }
}
