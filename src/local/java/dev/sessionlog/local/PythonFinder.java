package dev.sessionlog.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Python 3 that runs moto: {@code SESSIONLOG_PYTHON} when set, else a project-local virtualenv
 * at {@code .sessionlog/venv} when there is one, else {@code python3} on the PATH.
 */
final class PythonFinder {

    static final Path PROJECT_VENV = Path.of(".sessionlog", "venv", "bin", "python3");

    private PythonFinder() {
    }

    static String python() {
        return python(setting("SESSIONLOG_PYTHON"), PROJECT_VENV, System.getenv("PATH"));
    }

    /** The lookup itself, on the given setting, virtualenv and PATH (tests give their own). */
    static String python(String configured, Path venv, String path) {
        if (configured != null) {
            return configured;
        }
        if (Files.isExecutable(venv)) {
            return venv.toAbsolutePath().toString();
        }
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "python3");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("""
                Python 3 was not found on the PATH. sessionlog runs DynamoDB locally with moto, a Python program:
                  install Python 3.9 or newer (Debian/Ubuntu: apt-get install python3 python3-venv), then
                """ + installHint());
    }

    static String installHint() {
        return """
                  install moto for it:           python3 -m pip install "%1$s"
                  or in a project-local venv:    python3 -m venv .sessionlog/venv && .sessionlog/venv/bin/pip install "%1$s"
                  (or point SESSIONLOG_PYTHON at a Python 3 that has it)""".formatted(MotoServer.MOTO_REQUIREMENT);
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? null : value;
    }
}
