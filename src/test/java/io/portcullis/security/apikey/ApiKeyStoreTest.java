package io.portcullis.security.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyStoreTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void aKeyFindsItsConsumer() {
        String alice = ApiKeys.generate(random);
        String bob = ApiKeys.generate(random);
        ApiKeyStore store = ApiKeyStore.of(List.of(
                new ApiConsumer("alice", Set.of("admin"), List.of(ApiKeys.hash(alice))),
                new ApiConsumer("bob", Set.of(), List.of(ApiKeys.hash(bob)))));
        assertThat(store.lookup(alice).name()).isEqualTo("alice");
        assertThat(store.lookup(alice).hasRole("admin")).isTrue();
        assertThat(store.lookup(bob).name()).isEqualTo("bob");
        assertThat(store.lookup(bob).hasRole("admin")).isFalse();
        assertThat(store.keyCount()).isEqualTo(2);
        assertThat(store.consumer("bob").roles()).isEmpty();
        assertThat(store.consumer("carol")).isNull();
    }

    @Test
    void unknownAndOddKeysFindNobody() {
        String key = ApiKeys.generate(random);
        ApiKeyStore store = ApiKeyStore.of(List.of(new ApiConsumer("a", Set.of(), List.of(ApiKeys.hash(key)))));
        assertThat(store.lookup(ApiKeys.generate(random))).isNull();
        assertThat(store.lookup(key + "x")).isNull();
        assertThat(store.lookup(key.substring(1))).isNull();
        assertThat(store.lookup(ApiKeys.hash(key))).as("the hash is not the key").isNull();
        assertThat(store.lookup("")).isNull();
        assertThat(store.lookup(null)).isNull();
        assertThat(store.lookup("x".repeat(100_000))).isNull();
        assertThat(ApiKeyStore.empty().lookup(key)).isNull();
    }

    @Test
    void rotationTwoKeysForOneConsumerBothWork() {
        String old = ApiKeys.generate(random);
        String fresh = ApiKeys.generate(random);
        ApiConsumer consumer = new ApiConsumer("billing", Set.of("orders.read"), List.of(ApiKeys.hash(old)));
        ApiKeyStore before = ApiKeyStore.of(List.of(consumer));
        ApiKeyStore during = before.with(consumer.withKey(ApiKeys.hash(fresh)));
        assertThat(before.lookup(fresh)).isNull();
        assertThat(during.lookup(old).name()).isEqualTo("billing");
        assertThat(during.lookup(fresh).name()).isEqualTo("billing");
        assertThat(during.consumers()).hasSize(1);
        ApiKeyStore after = ApiKeyStore.of(List.of(new ApiConsumer("billing", Set.of("orders.read"),
                List.of(ApiKeys.hash(fresh)))));
        assertThat(after.lookup(old)).isNull();
        assertThat(after.lookup(fresh).name()).isEqualTo("billing");
    }

    @Test
    void manyKeysEachFindTheirOwner() {
        List<ApiConsumer> consumers = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String a = ApiKeys.generate(random);
            String b = ApiKeys.generate(random);
            keys.add(a);
            keys.add(b);
            consumers.add(new ApiConsumer("c" + i, Set.of(), List.of(ApiKeys.hash(a), ApiKeys.hash(b))));
        }
        ApiKeyStore store = ApiKeyStore.of(consumers);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(store.lookup(keys.get(i)).name()).isEqualTo("c" + i / 2);
        }
    }

    @Test
    void aKeyBelongsToOneConsumerAndNamesAreUnique() {
        String hash = ApiKeys.hash("k");
        assertThatThrownBy(() -> ApiKeyStore.of(List.of(new ApiConsumer("a", Set.of(), List.of(hash)),
                new ApiConsumer("b", Set.of(), List.of(hash)))))
                .hasMessage(hash + " is a key of both a and b; a key must belong to one consumer");
        assertThatThrownBy(() -> ApiKeyStore.of(List.of(new ApiConsumer("a", Set.of(), List.of(hash, hash)))))
                .hasMessage(hash + " is listed twice for consumer a");
        assertThatThrownBy(() -> ApiKeyStore.of(List.of(new ApiConsumer("a", Set.of(), List.of()),
                new ApiConsumer("a", Set.of(), List.of()))))
                .hasMessage("consumer a is listed twice");
    }

    @Test
    void consumersValidateNamesRolesAndHashes() {
        assertThatThrownBy(() -> new ApiConsumer("has space", Set.of(), List.of()))
                .hasMessage("consumer name must be 1 to 128 of A-Z a-z 0-9 . _ @ : + -, was \"has space\"");
        assertThatThrownBy(() -> new ApiConsumer("a", Set.of("x\ny"), List.of()))
                .hasMessageStartingWith("role of consumer a must be");
        assertThatThrownBy(() -> new ApiConsumer("a", Set.of(), List.of("pk_plainkey")))
                .hasMessageContaining("\"pk_plainkey\" is not a key hash");
        ApiConsumer upper = new ApiConsumer("a", Set.of(), List.of(ApiKeys.hash("k").toUpperCase()
                .replace("SHA256:", "sha256:")));
        assertThat(upper.keys()).containsExactly(ApiKeys.hash("k"));
    }
}
