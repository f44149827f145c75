package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local runner serves this machine only: every port it opens is bound to 127.0.0.1. */
class LoopbackOnlyTest {

    @Test
    void theApiMotoAndS3ProxyListenOnLoopbackOnly() throws Exception {
        LocalConfig config = LocalConfig.from(Map.of("SESSIONLOG_API_PORT", "0", "SESSIONLOG_DYNAMODB_PORT", "0",
                "SESSIONLOG_S3_PORT", "0", "SESSIONLOG_IN_MEMORY", "true", "SESSIONLOG_SCHEDULE_SECONDS", "3600"));
        try (LocalRunner runner = LocalRunner.start(config)) {
            List<Integer> ports = List.of(runner.apiPort(), runner.aws().dynamoEndpoint().getPort(), runner.aws().s3Endpoint().getPort());
            for (URI endpoint : List.of(runner.aws().dynamoEndpoint(), runner.aws().s3Endpoint())) {
                assertEquals("127.0.0.1", endpoint.getHost());
            }
            for (int port : ports) {
                assertTrue(connects(InetAddress.getLoopbackAddress(), port), "port " + port + " answers on loopback");
                for (InetAddress other : nonLoopbackAddresses()) {
                    assertThrows(IOException.class, () -> new Socket().connect(new InetSocketAddress(other, port), 1000),
                            "port " + port + " must not answer on " + other);
                }
            }
        }
    }

    private static boolean connects(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1000);
            return true;
        }
    }

    /** The machine's other addresses (on a machine with none but loopback, the bind check above stands alone). */
    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address).forEach(addresses::add);
            }
        }
        return addresses;
    }
}
