package dev.sessionlog.function;

/**
 * Every setting the functions read, with the environment variable that sets it on Lambda.
 *
 * @param eventsTable         EVENTS_TABLE: the events table
 * @param bucket              ARCHIVE_BUCKET: the bucket for large event bodies and the archive
 * @param archivePrefix       ARCHIVE_PREFIX: key prefix inside the bucket ("" or ending in "/")
 * @param tenantClaim         TENANT_CLAIM: the JWT claim that names the tenant (default tenant_id)
 * @param tenantHeaderFallback TENANT_HEADER_FALLBACK: take the tenant from X-Tenant-Id when no
 *                            authorizer ran (the local runner only; never on AWS)
 */
public record Settings(String eventsTable, String bucket, String archivePrefix, String tenantClaim,
                       boolean tenantHeaderFallback) {
}
