package dev.sessionlog.follow;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/** Connections of an API Gateway WebSocket API, through its management endpoint (PostToConnection, DeleteConnection). */
public final class ApiGatewayConnections implements Connections {

    private final ApiGatewayManagementApiClient api;

    public ApiGatewayConnections(ApiGatewayManagementApiClient api) {
        this.api = api;
    }

    @Override
    public Delivery send(String connectionId, String message) {
        try {
            api.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromUtf8String(message)));
            return Delivery.SENT;
        } catch (GoneException e) {
            return Delivery.GONE;
        }
    }

    @Override
    public void close(String connectionId) {
        try {
            api.deleteConnection(b -> b.connectionId(connectionId));
        } catch (GoneException e) {
            // closed already
        }
    }
}
