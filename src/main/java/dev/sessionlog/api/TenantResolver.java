package dev.sessionlog.api;

import dev.sessionlog.log.StreamKey;

/**
 * Who owns a request's data: a claim of the JWT that the HTTP API's authorizer verified (or the
 * context of a Lambda authorizer), and nothing else: never a header, never the request body. The
 * local runner's gateway puts its X-Tenant-Id header in as that claim, as API Gateway would.
 */
public final class TenantResolver {

    static final int MAX_TENANT_LENGTH = 256;
    private final String claim;

    private final RouteScopes scopes;
    private final dev.sessionlog.sessions.TenantRequestRate rate;

    public TenantResolver(String claim) {
        this(claim, RouteScopes.ANY_TOKEN, null);
    }

    /** @param rate each tenant's requests a second; null: no limit */
    public TenantResolver(String claim, RouteScopes scopes, dev.sessionlog.sessions.TenantRequestRate rate) {
        this.claim = claim;
        this.scopes = scopes;
        this.rate = rate;
    }

    /**
     * The tenant of a request to {@code route}, once its token was found to carry the route's scope
     * and the tenant within its requests a second (429 past them).
     */
    public String tenant(HttpApiEvent event, Route route) {
        String tenant = tenant(event);
        scopes.check(route, claims(event));
        if (rate != null) {
            try {
                rate.admit(tenant);
            } catch (dev.sessionlog.sessions.TenantRequestRate.OverLimitException over) {
                throw new ApiException(429, "throttled", over.getMessage());
            }
        }
        return tenant;
    }

    private static java.util.Map<String, Object> claims(HttpApiEvent event) {
        HttpApiEvent.Authorizer authorizer = event.requestContext == null ? null : event.requestContext.authorizer;
        if (authorizer == null) {
            return null;
        }
        return authorizer.jwt != null && authorizer.jwt.claims != null ? authorizer.jwt.claims : authorizer.lambda;
    }

    public String tenant(HttpApiEvent event) {
        String tenant = fromAuthorizer(event);
        if (tenant == null || tenant.isBlank()) {
            throw new ApiException(401, "unauthorized", "the request carries no tenant: claim \"" + claim + "\" is missing");
        }
        // A lone surrogate would be encoded as "?": two tenants could then share keys.
        if (!isUnicodeText(tenant)) {
            throw new ApiException(401, "unauthorized", "the tenant claim \"" + claim + "\" is not valid Unicode text");
        }
        // Keys hold the tenant percent-encoded: bound that form, so that keys stay within DynamoDB's and S3's limits.
        if (StreamKey.encodeTenant(tenant).length() > MAX_TENANT_LENGTH) {
            throw new ApiException(401, "unauthorized", "the tenant claim \"" + claim + "\" is over " + MAX_TENANT_LENGTH
                    + " characters (percent-encoded)");
        }
        return tenant;
    }

    static boolean isUnicodeText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c) || c == 0) {
                return false;
            }
        }
        return true;
    }

    private String fromAuthorizer(HttpApiEvent event) {
        if (event.requestContext == null || event.requestContext.authorizer == null) {
            return null;
        }
        HttpApiEvent.Authorizer authorizer = event.requestContext.authorizer;
        Object value = null;
        if (authorizer.jwt != null && authorizer.jwt.claims != null) {
            value = authorizer.jwt.claims.get(claim);
        }
        if (value == null && authorizer.lambda != null) {
            value = authorizer.lambda.get(claim);
        }
        if (value == null) {
            return null;
        }
        String text = value.toString();
        // API Gateway flattens a claim that is a JSON array (or object) into text such as "[a b]": one
        // token could then name a tenant nobody gave it. A tenant is a plain string claim.
        if (value instanceof java.util.Collection<?> || value instanceof java.util.Map<?, ?> || looksFlattened(text)) {
            throw new ApiException(401, "unauthorized", "the tenant claim \"" + claim + "\" is not a plain string");
        }
        return text;
    }

    private static boolean looksFlattened(String text) {
        return text.length() >= 2 && (text.startsWith("[") && text.endsWith("]") || text.startsWith("{") && text.endsWith("}"));
    }
}
