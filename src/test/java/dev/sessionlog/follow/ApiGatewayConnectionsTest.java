package dev.sessionlog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;

/**
 * The fan-out's real client of API Gateway's management API (the module is a patch version past the
 * SDK core the BOM pins), posting to and closing connections of moto's emulation, signed as on AWS.
 */
public class ApiGatewayConnectionsTest {

    /** The management client as the fan-out builds it, against moto, every call counted. */
    public static ApiGatewayManagementApiClient client() {
        URI moto = AwsTestResource.aws().embedded().dynamoEndpoint();
        return ApiGatewayManagementApiClient.builder().endpointOverride(moto).region(EmbeddedAws.REGION)
                .credentialsProvider(EmbeddedAws.credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new AwsCalls())).build();
    }

    @Test
    void postsAMessageAndClosesTheConnectionThroughTheManagementApi() {
        AwsCalls.reset();
        try (ApiGatewayManagementApiClient api = client()) {
            ApiGatewayConnections connections = new ApiGatewayConnections(api);
            assertEquals(Connections.Delivery.SENT, connections.send("L0SM9cOFvHcCIhw=", "{\"type\":\"events\"}"));
            connections.close("L0SM9cOFvHcCIhw=");
        }
        var calls = AwsCalls.calls();
        assertEquals(2, calls.size(), calls::toString);
        PostToConnectionRequest post = (PostToConnectionRequest) calls.get(0).request();
        assertEquals("L0SM9cOFvHcCIhw=", post.connectionId());
        assertEquals("{\"type\":\"events\"}", post.data().asUtf8String());
        assertTrue(calls.get(1).operation().contains("DeleteConnection"), calls.get(1)::toString);
    }
}
