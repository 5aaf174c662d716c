package dev.bsg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodiesTest {
    private static final ApiKey KEY = new ApiKey(
            "key_1",
            "user_1",
            "ada@example.com",
            "laptop",
            "SSOK_…abcd",
            0L,
            null,
            null,
            false,
            "eng",
            null,
            List.of());

    private static String json(Object body) {
        return new String(Bodies.json(body), StandardCharsets.UTF_8);
    }

    @Test
    void aKeyShowsItsSecretOnlyInTheAnswerThatCreatesIt() {
        assertThat(json(Bodies.Key.of(KEY, null, 1)))
                .isEqualTo("{\"id\":\"key_1\",\"name\":\"laptop\",\"user_id\":\"user_1\",\"user_email\":"
                        + "\"ada@example.com\",\"hint\":\"SSOK_…abcd\",\"team\":\"eng\",\"project\":null,"
                        + "\"created_at\":\"1970-01-01T00:00:00Z\",\"expires_at\":null,\"revoked_at\":null,"
                        + "\"status\":\"active\"}");
        assertThat(json(Bodies.Key.of(KEY, "SSOK_secret", 1)))
                .endsWith(",\"status\":\"active\",\"key\":\"SSOK_secret\"}");
    }

    @Test
    void aLimitScopeNamesOnlyTheIdOfItsType() {
        assertThat(json(Bodies.Limit.of(new SpendLimit("sl_1", "organization", "", "monthly", null, 0, 0, null))))
                .contains("\"scope\":{\"type\":\"organization\"}")
                .contains("\"amount\":null,\"currency\":\"USD\"");
        assertThat(json(Bodies.Scope.of("rbac_group", "eng")))
                .isEqualTo("{\"type\":\"rbac_group\",\"rbac_group_id\":\"eng\"}");
    }

    @Test
    void aPageNamesItsFirstAndLastIds() {
        assertThat(json(Bodies.Page.of(List.of("a", "b", "c"), s -> s, s -> "id_" + s, true)))
                .isEqualTo(
                        "{\"data\":[\"a\",\"b\",\"c\"],\"has_more\":true,\"first_id\":\"id_a\",\"last_id\":\"id_c\"}");
        assertThat(json(Bodies.Page.of(List.<String>of(), s -> s, s -> s, false)))
                .isEqualTo("{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}");
    }
}
