package io.portcullis.security;

import io.portcullis.config.SecurityConfig;
import io.portcullis.filter.Principal;
import io.portcullis.tls.ClientIdentity;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a verified client certificate into a consumer: by the configured mappings, else by its own names. */
final class CertificateConsumers {
    private CertificateConsumers() {
    }

    /**
     * The consumer {@code identity} authenticates as: the first mapping whose set fields all match, or with no
     * mappings, the certificate's first URI SAN, else DNS SAN, else subject. Null when mappings exist and none
     * matches.
     */
    static Principal principal(ClientIdentity identity, List<SecurityConfig.CertificateConsumer> mappings) {
        if (mappings.isEmpty()) {
            String name = !identity.uris().isEmpty() ? identity.uris().get(0)
                    : !identity.dnsNames().isEmpty() ? identity.dnsNames().get(0) : identity.subject();
            return new Principal(name, "mtls", Set.of(), Set.of(), Map.of());
        }
        for (SecurityConfig.CertificateConsumer m : mappings) {
            if ((m.subject() == null || m.subject().equals(identity.subject()))
                    && (m.dns() == null || identity.dnsNames().contains(m.dns()))
                    && (m.uri() == null || identity.uris().contains(m.uri()))
                    && (m.sha256() == null || m.sha256().equalsIgnoreCase(identity.sha256()))) {
                return new Principal(m.consumer(), "mtls", Set.copyOf(m.roles()), Set.of(), Map.of());
            }
        }
        return null;
    }
}
