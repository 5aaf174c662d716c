package dev.bsg.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Handler OK = exchange -> {};

    private final Router router = new Router()
            .add("GET", "/v1/models", Door.ANTHROPIC, List.of(), OK)
            .add("POST", "/v1/messages", Door.ANTHROPIC, List.of(), OK)
            .add("GET", "/v1/models/{id}", Door.ANTHROPIC, List.of(), OK)
            .add("POST", "/model/{modelId}/invoke", Door.BEDROCK, List.of(), OK)
            .add("DELETE", "/api/admin/keys/{id}", Door.API, List.of(), OK);

    @Test
    void literalPathsMatchOnMethodAndPath() {
        Router.Match match = router.match("POST", "/v1/messages");
        assertThat(match.route().pattern()).isEqualTo("/v1/messages");
        assertThat(match.params()).isEmpty();
    }

    @Test
    void aParameterTakesExactlyOneRawSegment() {
        assertThat(router.match("POST", "/model/us.anthropic.claude-sonnet-4-6%3A0/invoke")
                        .params())
                .isEqualTo(Map.of("modelId", "us.anthropic.claude-sonnet-4-6%3A0"));
        assertThat(router.match("POST", "/model/a/b/invoke").route()).isNull();
        assertThat(router.match("POST", "/model//invoke").route())
                .as("an empty segment is no value")
                .isNull();
    }

    @Test
    void aKnownPathWithTheWrongMethodIsToldFromAnUnknownPath() {
        Router.Match wrongMethod = router.match("PUT", "/v1/messages");
        assertThat(wrongMethod.route()).isNull();
        assertThat(wrongMethod.pathKnown()).isTrue();
        Router.Match wrongParameterisedMethod = router.match("GET", "/api/admin/keys/k1");
        assertThat(wrongParameterisedMethod.route()).isNull();
        assertThat(wrongParameterisedMethod.pathKnown()).isTrue();
        Router.Match unknown = router.match("GET", "/v1/nothing");
        assertThat(unknown.route()).isNull();
        assertThat(unknown.pathKnown()).isFalse();
    }

    @Test
    void headIsServedByTheGetRoute() {
        assertThat(router.match("HEAD", "/v1/models").route().method()).isEqualTo("GET");
        assertThat(router.match("HEAD", "/v1/models/claude-haiku-4-5").params())
                .containsEntry("id", "claude-haiku-4-5");
        assertThat(router.match("HEAD", "/v1/messages").route()).isNull();
    }

    @Test
    void aTrailingSlashIsAnotherPath() {
        assertThat(router.match("GET", "/v1/models/").route())
                .as("/v1/models/ has an empty id segment")
                .isNull();
        assertThat(router.match("GET", "/v1/models//").route()).isNull();
    }

    @Test
    void unmatchedPathsAreAnsweredInTheirDoorsDialect() {
        assertThat(Router.doorOf("/bedrock/model/x/converse")).isEqualTo(Door.BEDROCK);
        assertThat(Router.doorOf("/model/x/invoke")).isEqualTo(Door.BEDROCK);
        assertThat(Router.doorOf("/inference-profiles")).isEqualTo(Door.BEDROCK);
        assertThat(Router.doorOf("/api/me")).isEqualTo(Door.API);
        assertThat(Router.doorOf("/v1/messages")).isEqualTo(Door.ANTHROPIC);
        assertThat(Router.doorOf("/anything")).isEqualTo(Door.ANTHROPIC);
    }
}
