package dev.sessionlog.testing;

import dev.sessionlog.local.EmbeddedAws;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack in Docker for the integration suite: ./mvnw verify -Plocalstack. The image is
 * LOCALSTACK_IMAGE (default localstack/localstack:4); LOCALSTACK_AUTH_TOKEN is passed on when set
 * (LocalStack's newer images ask for one).
 */
public final class LocalStackAws implements ExternalAws {

    private static LocalStackContainer container;

    @Override
    public String name() {
        return "localstack";
    }

    @Override
    public synchronized EmbeddedAws.Options start() {
        if (container == null) {
            String image = System.getenv().getOrDefault("LOCALSTACK_IMAGE", "localstack/localstack:4");
            container = new LocalStackContainer(DockerImageName.parse(image)).withServices("dynamodb", "s3");
            String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
            if (token != null && !token.isBlank()) {
                container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
            }
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        }
        return new EmbeddedAws.Options(0, 0, null, container.getEndpoint(), container.getEndpoint());
    }
}
