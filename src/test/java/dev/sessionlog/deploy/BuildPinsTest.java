package dev.sessionlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Finding 13: what the build downloads is pinned and checked. */
class BuildPinsTest {

    @Test
    void theMavenWrapperChecksTheDistributionItDownloads() throws Exception {
        Properties wrapper = new Properties();
        wrapper.load(new StringReader(Files.readString(Path.of(".mvn/wrapper/maven-wrapper.properties"))));
        assertTrue(wrapper.getProperty("distributionUrl", "").endsWith("apache-maven-3.9.16-bin.zip"), wrapper::toString);
        // SHA-256 of apache-maven-3.9.16-bin.zip, whose SHA-512 matched the one Maven Central publishes beside it.
        assertEquals("5af3b743dd8b876b5c45da33b676251e5f1687712644abb4ee519ca56e1d89ce", wrapper.getProperty("distributionSha256Sum"));
    }

    @Test
    void theOneQuarkusPinApartFromTheBomFollowsItsMinorRelease() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String bom = property(pom, "quarkus.version");
        String pin = property(pom, "quarkus-logging-json.version");
        assertEquals(bom.substring(0, bom.lastIndexOf('.')), pin.substring(0, pin.lastIndexOf('.')),
                "quarkus-logging-json is pinned to " + pin + " for the BOM " + bom + ": take it from the BOM again or pin its release");
        Matcher versions = Pattern.compile("<groupId>io\\.quarkus</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        while (versions.find()) {
            assertTrue(versions.group(2).startsWith("${"), versions.group(1) + " names its version in the pom's properties, not inline");
        }
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name);
        return m.group(1);
    }
}
