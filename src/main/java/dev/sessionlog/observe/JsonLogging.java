package dev.sessionlog.observe;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtHandler;

/** Puts {@link JsonLogFormatter} on every console handler at start, unless sessionlog.log.json is false. */
@ApplicationScoped
public class JsonLogging {

    void install(@Observes StartupEvent start, @ConfigProperty(name = "sessionlog.log.json", defaultValue = "true") boolean json) {
        if (json) {
            install(Logger.getLogger("").getHandlers());
        }
    }

    static void install(Handler[] handlers) {
        for (Handler handler : handlers) {
            handler.setFormatter(new JsonLogFormatter());
            if (handler instanceof ExtHandler ext) {
                install(ext.getHandlers());
            }
        }
    }
}
