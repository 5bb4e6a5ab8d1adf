package io.portcullis.cli;

import picocli.CommandLine;

/** The version from the jar manifest, or "dev" when running from classes. */
final class Version implements CommandLine.IVersionProvider {
    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"portcullis " + get(), "Java " + Runtime.version()};
    }
}
