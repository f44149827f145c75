package dev.sessionlog.testing;

import dev.sessionlog.local.EmbeddedAws;

/**
 * Another backend for the same integration suite (e.g. LocalStack through Testcontainers, in the
 * Maven profile "localstack"), found with ServiceLoader when -Dsessionlog-test.backend names it.
 */
public interface ExternalAws {

    /** The backend's name, as -Dsessionlog-test.backend gives it. */
    String name();

    /** Starts the backend; the options name its DynamoDB and S3 endpoints. */
    EmbeddedAws.Options start();
}
