package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The local follow server on a port something else holds: a clear refusal that names the setting. */
class LocalFollowServerTest {

    @Test
    void aTakenPortIsRefusedNamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> LocalFollowServer.start(taken.getLocalPort()));
            assertTrue(refused.getMessage().contains("SESSIONLOG_FOLLOW_PORT")
                    && refused.getMessage().contains(Integer.toString(taken.getLocalPort())), refused.getMessage());
        }
    }
}
