package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A machine without Python 3, or with a Python 3 that lacks moto: the runner and the tests say what to install. */
class MissingPythonOrMotoTest {

    @Test
    void withoutPython3OnThePathTheMessageNamesItAndHowToInstallMoto(@TempDir Path empty) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PythonFinder.python(null, empty.resolve("no-venv/bin/python3"), empty.toString()));
        assertTrue(e.getMessage().startsWith("Python 3 was not found on the PATH"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install python3"), e.getMessage());
        assertTrue(e.getMessage().contains("pip install \"" + MotoServer.MOTO_REQUIREMENT + "\""), e.getMessage());
    }

    @Test
    void aProjectVirtualenvIsTakenBeforeThePath(@TempDir Path dir) throws Exception {
        Path venvPython = executable(dir.resolve("venv/bin/python3"), "#!/bin/sh\n");
        String found = PythonFinder.python(null, venvPython, "/usr/bin");
        assertTrue(found.equals(venvPython.toAbsolutePath().toString()), found);
    }

    @Test
    void aPythonWithoutMotoStopsTheStartWithThePipCommand(@TempDir Path dir) throws Exception {
        // python3 without its site-packages: moto cannot be imported, as on a machine that never installed it
        Path noMoto = executable(dir.resolve("python3"), "#!/bin/sh\nexec python3 -S \"$@\"\n");
        String before = System.getProperty("SESSIONLOG_PYTHON");
        System.setProperty("SESSIONLOG_PYTHON", noMoto.toString());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> MotoServer.start(MotoServer.Options.inMemory()));
            assertTrue(e.getMessage().contains("moto is not installed for"), e.getMessage());
            assertTrue(e.getMessage().contains("pip install \"" + MotoServer.MOTO_REQUIREMENT + "\""), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("SESSIONLOG_PYTHON");
            } else {
                System.setProperty("SESSIONLOG_PYTHON", before);
            }
        }
    }

    private static Path executable(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
