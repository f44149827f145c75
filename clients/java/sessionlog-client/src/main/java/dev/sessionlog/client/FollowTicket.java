package dev.sessionlog.client;

import java.net.URI;
import java.time.Instant;

/**
 * Where to follow over the follow API's WebSocket: the URL with a one-time ticket, good for one
 * connection until {@code expiresAt}; {@code sessionId} is null for a tenant's list.
 */
public record FollowTicket(String sessionId, URI url, Instant expiresAt) {}
