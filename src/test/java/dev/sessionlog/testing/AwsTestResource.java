package dev.sessionlog.testing;

import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.TemplateTables;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * moto (DynamoDB and its Streams, through the project's launcher) and S3Proxy for @QuarkusTest,
 * started once per test JVM (Quarkus restarts for each test profile; the stores stay), with the
 * tables made from template.yaml. The moto process ends with the JVM, however it ends.
 */
public class AwsTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "sessionlog-test";
    /** What {@code Settings.local} names the checkpoint bucket. */
    public static final String CHECKPOINT_BUCKET = BUCKET + "-checkpoints";
    /** What {@code Settings.local} names the recorder's failure bucket. */
    public static final String FAILURE_BUCKET = BUCKET + "-failures";
    private static final String RUNNING_STORES = "sessionlog-test.running-stores";
    private static TestAws shared;

    /** The running stores, their clients and table names, for tests that talk to AWS directly. */
    public static synchronized TestAws aws() {
        if (shared == null) {
            try {
                EmbeddedAws aws = startedOrAttached();
                Map<String, String> tables = new TemplateTables(CloudFormationTemplate.load()).createAll(aws.dynamo());
                EmbeddedAws.createBucket(aws.s3(), BUCKET);
                // Sealed checkpoints: in moto (versions and Object Lock, as on AWS); the Quarkus-booted
                // functions of the wire tests have one S3 client, so S3Proxy has a plain one too.
                EmbeddedAws.createCheckpointBucket(aws.checkpointS3(), CHECKPOINT_BUCKET);
                EmbeddedAws.createBucket(aws.s3(), CHECKPOINT_BUCKET);
                EmbeddedAws.createBucket(aws.s3(), FAILURE_BUCKET);
                shared = new TestAws(aws, tables);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start moto and S3Proxy: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    /** The local runner's settings on the test JVM's tables and bucket. */
    public static dev.sessionlog.function.Settings settings() {
        TestAws aws = aws();
        // tickets and subscriptions are real; what the URL names is served only by the local runner's tests
        return dev.sessionlog.function.Settings.local(aws.table("EventsTable"), aws.table("SessionsTable"), BUCKET)
                .withFollow(new dev.sessionlog.follow.FollowSettings(aws.table("FollowTable"), "ws://127.0.0.1:9/follow", ""));
    }

    /**
     * Empties DynamoDB (moto's reset) and makes the tables again: what a test class that stores
     * tens of thousands of items calls when it is done, so that moto's memory stays bounded over the
     * suite (every class works in tenants of its own and needs nothing an earlier class stored).
     */
    public static synchronized void resetDynamo() {
        if (!"embedded".equals(System.getProperty("sessionlog-test.backend", "embedded"))) {
            return; // moto's reset API is moto's own; another engine keeps the data (its memory is not moto's)
        }
        TestAws aws = aws();
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(aws.embedded().dynamoEndpoint().resolve("/moto-api/reset"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("moto's reset answered " + r.statusCode() + ": " + r.body());
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException("cannot reset moto", e);
        }
        new TemplateTables(CloudFormationTemplate.load()).createAll(aws.embedded().dynamo());
        EmbeddedAws.createCheckpointBucket(aws.embedded().checkpointS3(), CHECKPOINT_BUCKET);
    }

    /**
     * One moto and one S3Proxy for the whole test JVM. Each Quarkus test profile loads this class
     * again in a class loader of its own, so the stores' endpoints are kept where every class loader
     * sees them, a system property: the first starts them, the others attach.
     */
    private static EmbeddedAws startedOrAttached() throws Exception {
        synchronized (System.class) {
            String running = System.getProperty(RUNNING_STORES);
            if (running != null) {
                String[] endpoints = running.split(" ");
                return EmbeddedAws.attach(URI.create(endpoints[0]), URI.create(endpoints[1]));
            }
            EmbeddedAws aws = EmbeddedAws.start(backendOptions());
            System.setProperty(RUNNING_STORES, aws.dynamoEndpoint() + " " + aws.s3Endpoint());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    aws.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }));
            return aws;
        }
    }

    /** moto and S3Proxy on this machine, or the backend -Dsessionlog-test.backend names. */
    static EmbeddedAws.Options backendOptions() {
        String backend = System.getProperty("sessionlog-test.backend", "embedded");
        if (backend.equals("embedded")) {
            // Stream records older than the suite's slowest reader needs are let go, to keep moto's memory bounded.
            EmbeddedAws.Options o = EmbeddedAws.Options.inMemory();
            return new EmbeddedAws.Options(o.dynamoPort(), o.s3Port(), o.dataDir(), o.dynamoEndpoint(), o.s3Endpoint(),
                    List.of("--stream-retention-seconds", "120"));
        }
        for (ExternalAws external : java.util.ServiceLoader.load(ExternalAws.class)) {
            if (external.name().equals(backend)) {
                return external.start();
            }
        }
        throw new IllegalStateException("no test backend \"" + backend + "\" on the class path (the localstack one needs -Plocalstack)");
    }

    @Override
    public Map<String, String> start() {
        TestAws aws = aws();
        Map<String, String> config = new HashMap<>();
        for (String service : new String[] {"dynamodb", "s3"}) {
            String endpoint = service.equals("s3") ? aws.embedded().s3Endpoint().toString() : aws.embedded().dynamoEndpoint().toString();
            config.put("quarkus." + service + ".endpoint-override", endpoint);
            config.put("quarkus." + service + ".aws.region", EmbeddedAws.REGION.id());
            config.put("quarkus." + service + ".aws.credentials.type", "static");
            config.put("quarkus." + service + ".aws.credentials.static-provider.access-key-id", EmbeddedAws.ACCESS_KEY);
            config.put("quarkus." + service + ".aws.credentials.static-provider.secret-access-key", EmbeddedAws.SECRET_KEY);
        }
        config.put("quarkus.s3.path-style-access", "true");
        config.put("sessionlog.events-table", aws.table("EventsTable"));
        config.put("sessionlog.sessions-table", aws.table("SessionsTable"));
        config.put("sessionlog.bucket", BUCKET);
        config.put("sessionlog.checkpoint-bucket", CHECKPOINT_BUCKET);
        config.put("sessionlog.checkpoint-key", settings().checkpointKey());
        config.put("sessionlog.failure-bucket", FAILURE_BUCKET);
        config.put("sessionlog.follow.table", aws.table("FollowTable"));
        config.put("sessionlog.follow.url", settings().follow().url());
        // moto serves API Gateway's management API too: the fan-out's posts and closes go there
        config.put("sessionlog.follow.endpoint", aws.embedded().dynamoEndpoint().toString());
        return config;
    }

    @Override
    public void stop() {
        // shared by every Quarkus boot of this JVM; closed by the shutdown hook
    }
}
