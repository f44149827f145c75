package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        TenantResolver resolver = new TenantResolver("tenant_id", false);
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
}
