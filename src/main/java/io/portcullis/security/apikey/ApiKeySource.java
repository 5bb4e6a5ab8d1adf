package io.portcullis.security.apikey;

/**
 * Where the API-key filter gets its store: a fixed {@link ApiKeyStore} from config, or an {@link ApiKeyFile} whose
 * store changes when its file does. A request calls {@link #current()} once.
 */
public interface ApiKeySource {
    /** The store in force now; never null. For a file, one volatile read. */
    ApiKeyStore current();

    /** {@code current().lookup(presentedKey)}. */
    default ApiConsumer lookup(String presentedKey) {
        return current().lookup(presentedKey);
    }
}
