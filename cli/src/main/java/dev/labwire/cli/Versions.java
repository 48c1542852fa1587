package dev.labwire.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;

/** Versions of labwire's artifacts and of the libraries under it, read from the jars' Maven metadata. */
final class Versions {
    private Versions() {}

    /** The version of {@code groupId:artifactId} on the class path, from its {@code pom.properties}. */
    static Optional<String> of(String groupId, String artifactId) {
        // through the class loader: META-INF is no package, so this also finds it in other modules' jars
        String path = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        ClassLoader loader = Versions.class.getClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(path)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.ofNullable(p.getProperty("version"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** labwire's version: this jar's, else the package's, else "unknown" (classes run from a build folder). */
    static String labwire() {
        return of("dev.labwire", "labwire-cli")
                .or(() -> Optional.ofNullable(Versions.class.getPackage().getImplementationVersion()))
                .orElse("unknown (not run from a jar)");
    }

    /** For {@code labwire --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"labwire " + labwire(), "Java " + System.getProperty("java.version") + " ("
                    + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch")};
        }
    }
}
