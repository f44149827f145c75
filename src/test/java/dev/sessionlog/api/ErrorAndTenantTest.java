package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

class ErrorAndTenantTest {

    @Test
    void aStoreThrottledPastTheSdksRetriesIs429WithRetryAfter() {
        ProvisionedThroughputExceededException throttled = ProvisionedThroughputExceededException.builder()
                .statusCode(400).awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build())
                .message("slow down").build();
        HttpApiResponse r = ErrorResponses.of(throttled, "req-1");
        assertEquals(429, r.statusCode);
        assertEquals("1", r.headers.get("retry-after"));
        assertTrue(r.body.contains("\"code\":\"throttled\""));
    }

    @Test
    void aTenantTooLongForTheKeysOnceEncodedIsRefused() {
        TenantResolver resolver = new TenantResolver("tenant_id");
        HttpApiEvent event = new HttpApiEvent();
        event.requestContext = new HttpApiEvent.RequestContext();
        event.requestContext.authorizer = new HttpApiEvent.Authorizer();
        event.requestContext.authorizer.jwt = new HttpApiEvent.Jwt();
        event.requestContext.authorizer.jwt.claims = Map.of("tenant_id", "ü".repeat(100));
        ApiException e = assertThrows(ApiException.class, () -> resolver.tenant(event));
        assertEquals(401, e.status());
        event.requestContext.authorizer.jwt.claims = Map.of("tenant_id", "ü".repeat(40));
        assertEquals("ü".repeat(40), resolver.tenant(event));
    }

    /** Finding 6: no header names a tenant in the functions, with or without a token. */
    @Test
    void theTenantHeaderIsIgnoredByTheFunctions() {
        TenantResolver resolver = new TenantResolver("tenant_id");
        HttpApiEvent withoutClaim = withClaims(Map.of("sub", "someone"));
        withoutClaim.headers = Map.of("x-tenant-id", "victim");
        ApiException e = assertThrows(ApiException.class, () -> resolver.tenant(withoutClaim));
        assertEquals(401, e.status());
        HttpApiEvent withClaim = withClaims(Map.of("tenant_id", "mine"));
        withClaim.headers = Map.of("x-tenant-id", "victim");
        assertEquals("mine", resolver.tenant(withClaim));
        HttpApiEvent noAuthorizer = new HttpApiEvent();
        noAuthorizer.headers = Map.of("x-tenant-id", "victim");
        assertEquals(401, assertThrows(ApiException.class, () -> resolver.tenant(noAuthorizer)).status());
    }

    /** Finding 12: API Gateway hands a JSON array claim over as "[a b]"; that names no tenant. */
    @Test
    void aTenantClaimThatIsNoPlainStringIs401() {
        TenantResolver resolver = new TenantResolver("tenant_id");
        ApiException flattened = assertThrows(ApiException.class, () -> resolver.tenant(withClaims(Map.of("tenant_id", "[a b]"))));
        assertEquals(401, flattened.status());
        assertTrue(flattened.getMessage().contains("not a plain string"), flattened::getMessage);
        assertEquals(401, assertThrows(ApiException.class,
                () -> resolver.tenant(withClaims(Map.of("tenant_id", "{\"a\":1}")))).status());
        HttpApiEvent lambdaContext = new HttpApiEvent();
        lambdaContext.requestContext = new HttpApiEvent.RequestContext();
        lambdaContext.requestContext.authorizer = new HttpApiEvent.Authorizer();
        lambdaContext.requestContext.authorizer.lambda = Map.of("tenant_id", List.of("a", "b"));
        assertEquals(401, assertThrows(ApiException.class, () -> resolver.tenant(lambdaContext)).status());
        assertEquals("a[b]c", resolver.tenant(withClaims(Map.of("tenant_id", "a[b]c"))));
    }

    private static HttpApiEvent withClaims(Map<String, Object> claims) {
        HttpApiEvent event = new HttpApiEvent();
        event.requestContext = new HttpApiEvent.RequestContext();
        event.requestContext.authorizer = new HttpApiEvent.Authorizer();
        event.requestContext.authorizer.jwt = new HttpApiEvent.Jwt();
        event.requestContext.authorizer.jwt.claims = claims;
        return event;
    }
}
