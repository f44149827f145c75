package dev.sessionlog.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The local runner's stand-in for the stack's checkpoint secret: made once, kept in the data
 * directory beside the checkpoints it names (a new one would lose them), or new for each in-memory run.
 */
final class LocalCheckpointKey {

    private LocalCheckpointKey() {
    }

    static String of(Path dataDir) {
        if (dataDir == null) {
            return generate();
        }
        Path file = dataDir.resolve("checkpoint-key");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            Files.createDirectories(dataDir);
            String key = generate();
            Files.writeString(file, key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the checkpoint key in " + file, e);
        }
    }

    private static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
