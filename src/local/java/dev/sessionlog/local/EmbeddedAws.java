package dev.sessionlog.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * DynamoDB with its Streams (moto, in a child process the project starts: {@link MotoServer}) and
 * S3 (S3Proxy, in this JVM), speaking the real AWS protocols on 127.0.0.1 only; or, given
 * endpoints, whatever DynamoDB- and S3-compatible services are there.
 */
public final class EmbeddedAws implements AutoCloseable {

    public static final String ACCESS_KEY = "sessionlog";
    public static final String SECRET_KEY = "sessionlog-local-secret";
    public static final Region REGION = Region.US_EAST_1;

    /**
     * @param dynamoPort  port of the moto server (0: any free port)
     * @param s3Port      port of the embedded S3Proxy (0: any free port)
     * @param dataDir     where both keep their data between runs; null: in memory
     * @param dynamoEndpoint an external DynamoDB to use instead of starting one (null: moto)
     * @param s3Endpoint  an external S3 to use instead of starting one (null: embedded)
     * @param motoArgs    flags for the moto launcher (the runner: its TTL sweep; tests: races)
     */
    public record Options(int dynamoPort, int s3Port, Path dataDir, URI dynamoEndpoint, URI s3Endpoint, List<String> motoArgs) {
        public Options(int dynamoPort, int s3Port, Path dataDir, URI dynamoEndpoint, URI s3Endpoint) {
            this(dynamoPort, s3Port, dataDir, dynamoEndpoint, s3Endpoint, List.of());
        }

        public static Options inMemory() {
            return new Options(0, 0, null, null, null);
        }
    }

    private final URI dynamoEndpoint;
    private final URI s3Endpoint;
    private final MotoServer dynamoServer;
    private final S3Proxy s3Proxy;
    private final AwsCredentialsProvider dynamoCredentials;
    private final AwsCredentialsProvider s3Credentials;
    private final Region region;
    private final boolean localDynamo;

    private EmbeddedAws(URI dynamoEndpoint, URI s3Endpoint, MotoServer dynamoServer, S3Proxy s3Proxy) {
        this(dynamoEndpoint, s3Endpoint, dynamoServer, s3Proxy, dynamoServer != null, s3Proxy != null);
    }

    private EmbeddedAws(URI dynamoEndpoint, URI s3Endpoint, MotoServer dynamoServer, S3Proxy s3Proxy,
                        boolean localDynamo, boolean localS3) {
        this.dynamoEndpoint = dynamoEndpoint;
        this.s3Endpoint = s3Endpoint;
        this.dynamoServer = dynamoServer;
        this.s3Proxy = s3Proxy;
        this.localDynamo = localDynamo;
        // Other endpoints (real AWS, LocalStack, a moto of your own): the usual credential chain and
        // AWS_REGION, else the local credentials (which LocalStack and moto accept like any other).
        AwsCredentialsProvider external = AwsCredentialsProviderChain.builder()
                .credentialsProviders(DefaultCredentialsProvider.builder().build(), credentials()).reuseLastProviderEnabled(true).build();
        this.dynamoCredentials = localDynamo ? credentials() : external;
        this.s3Credentials = localS3 ? credentials() : external;
        String configured = System.getenv().getOrDefault("AWS_REGION", System.getenv("AWS_DEFAULT_REGION"));
        boolean anyExternal = !localDynamo || !localS3;
        this.region = anyExternal && configured != null && !configured.isBlank() ? Region.of(configured) : REGION;
    }

    public static EmbeddedAws start(Options options) throws Exception {
        MotoServer dynamoServer = null;
        URI dynamoEndpoint = options.dynamoEndpoint();
        if (dynamoEndpoint == null) {
            Path journal = options.dataDir() == null ? null
                    : Files.createDirectories(options.dataDir().resolve("dynamodb")).resolve("journal.jsonl");
            dynamoServer = MotoServer.start(new MotoServer.Options(options.dynamoPort(), journal, options.motoArgs()));
            dynamoEndpoint = dynamoServer.endpoint();
        }
        S3Proxy s3Proxy = null;
        URI s3Endpoint = options.s3Endpoint();
        if (s3Endpoint == null) {
            int port = options.s3Port() == 0 ? freePort() : options.s3Port();
            // S3Proxy binds the endpoint's host: 127.0.0.1 keeps it off other interfaces.
            Properties props = new Properties();
            String provider = "transient";
            if (options.dataDir() != null) {
                provider = "filesystem";
                props.setProperty("jclouds.filesystem.basedir",
                        Files.createDirectories(options.dataDir().resolve("s3")).toString());
            }
            s3Endpoint = URI.create("http://127.0.0.1:" + port);
            s3Proxy = S3Proxy.builder().blobStore(BlobStores.create(provider, props)).endpoint(s3Endpoint)
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
            s3Proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(s3Proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + s3Proxy.getState());
                }
                Thread.sleep(10);
            }
        }
        return new EmbeddedAws(dynamoEndpoint, s3Endpoint, dynamoServer, s3Proxy);
    }

    /**
     * The stores another instance of this class started in this JVM (under another class loader, as
     * each Quarkus test profile has): same endpoints, same local credentials, and nothing to stop.
     */
    public static EmbeddedAws attach(URI dynamoEndpoint, URI s3Endpoint) {
        return new EmbeddedAws(dynamoEndpoint, s3Endpoint, null, null, true, true);
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    /** The moto server this process started, or null when DynamoDB is another endpoint. */
    public MotoServer moto() {
        return dynamoServer;
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    public DynamoDbClient dynamo(ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(dynamoEndpoint).region(region).credentialsProvider(dynamoCredentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> List.of(interceptors).forEach(c::addExecutionInterceptor)).build();
    }

    public DynamoDbStreamsClient streams() {
        return DynamoDbStreamsClient.builder().endpointOverride(dynamoEndpoint).region(region)
                .credentialsProvider(dynamoCredentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public S3Client s3(ExecutionInterceptor... interceptors) {
        return S3Client.builder().endpointOverride(s3Endpoint).region(region).credentialsProvider(s3Credentials)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> List.of(interceptors).forEach(c::addExecutionInterceptor)).build();
    }

    /**
     * The S3 that holds sealed checkpoints: moto's, which keeps versions and S3 Object Lock as AWS does
     * (S3Proxy keeps neither); with external endpoints, the S3 of {@link #s3}.
     */
    public S3Client checkpointS3(ExecutionInterceptor... interceptors) {
        URI endpoint = localDynamo ? dynamoEndpoint : s3Endpoint;
        return S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(localDynamo ? credentials() : s3Credentials)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> List.of(interceptors).forEach(c::addExecutionInterceptor)).build();
    }

    /**
     * Makes the checkpoint bucket as template.yaml does: versioned, with S3 Object Lock in compliance
     * mode (one day here), so that no write can change or remove a checkpoint once written.
     */
    public static void createCheckpointBucket(S3Client s3, String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return; // kept from an earlier run (moto's journal replays it)
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException absent) {
            // made below
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        try {
            s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(true));
        } catch (BucketAlreadyOwnedByYouException exists) {
            return; // kept from an earlier run
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
            return;
        }
        s3.putObjectLockConfiguration(b -> b.bucket(bucket).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                .rule(r -> r.defaultRetention(d -> d.mode("COMPLIANCE").days(1)))));
    }

    public static void createBucket(S3Client s3, String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // kept from an earlier run
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (s3Proxy != null) {
            s3Proxy.stop();
        }
        if (dynamoServer != null) {
            dynamoServer.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
