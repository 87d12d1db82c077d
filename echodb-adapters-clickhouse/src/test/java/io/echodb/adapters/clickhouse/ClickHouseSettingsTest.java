package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.InvalidValueException;
import org.junit.jupiter.api.Test;

class ClickHouseSettingsTest {

    @Test
    void hostAndPortBuildAnHttpUrlWithCompressionOff() {
        ClickHouseSettings s = ClickHouseSettings.of("ch.example", 8123, "analytics", "echodb", "secret");

        assertThat(s.url()).isEqualTo("jdbc:clickhouse:http://ch.example:8123/analytics?compress=0");
        assertThat(s.endpoint()).isEqualTo("http://ch.example:8123");
        assertThat(s.database()).isEqualTo("analytics");
        assertThat(s.clientOptions()).containsEntry("compress", "0");
        assertThat(s.cluster()).isNull();
        assertThat(s.jsonType()).isFalse();
        assertThat(s.dropColumnPolicy()).isEqualTo(DropColumnPolicy.KEEP);
    }

    @Test
    void compressIsAddedToHttpUrlsOnlyWhenAbsent() {
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse:http://h:8123/db?socket_timeout=5000", "u", "").url())
                .isEqualTo("jdbc:clickhouse:http://h:8123/db?socket_timeout=5000&compress=0");
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse:http://h:8123/db?compress=1", "u", "").clientOptions())
                .containsEntry("compress", "1");
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse:https://h/db", "u", "").url())
                .isEqualTo("jdbc:clickhouse:https://h/db");
    }

    @Test
    void urlParametersBecomeClientOptionsWithTimeoutDefaults() {
        ClickHouseSettings s = ClickHouseSettings.ofUrl(
                "jdbc:clickhouse:http://h:9999/db?socket_timeout=5000&password=p&user=x", null, null);

        assertThat(s.user()).isEqualTo("x");
        assertThat(s.password()).isEqualTo("p");
        assertThat(s.clientOptions()).containsEntry("socket_timeout", "5000").containsEntry("connection_timeout", "10000")
                .doesNotContainKeys("user", "password");
        assertThat(s.endpoint()).isEqualTo("http://h:9999");
    }

    @Test
    void defaultsPortAndDatabaseAndHonoursSsl() {
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse://h", "u", "").endpoint()).isEqualTo("http://h:8123");
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse://h", "u", "").database()).isEqualTo("default");
        assertThat(ClickHouseSettings.ofUrl("jdbc:ch:https://h/x", "u", "").endpoint()).isEqualTo("https://h:8443");
        assertThat(ClickHouseSettings.ofUrl("jdbc:clickhouse:http://h:8443/x?ssl=true", "u", "").endpoint())
                .isEqualTo("https://h:8443");
    }

    @Test
    void toStringMasksThePasswordEverywhere() {
        ClickHouseSettings s = ClickHouseSettings.ofUrl("jdbc:clickhouse:http://h:8123/db?password=urlsecret", "u", "argsecret");

        assertThat(s.toString()).doesNotContain("urlsecret").doesNotContain("argsecret").contains("****");
    }

    @Test
    void rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> ClickHouseSettings.ofUrl("jdbc:postgresql://h/db", "u", ""))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("jdbc:postgresql://h/db");
        assertThatThrownBy(() -> ClickHouseSettings.ofUrl("jdbc:clickhouse:tcp://h:9000/db", "u", ""))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> ClickHouseSettings.of("h", 70000, "db", "u", ""))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> ClickHouseSettings.of("h", 8123, "db", " ", ""))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("user");
        assertThatThrownBy(() -> ClickHouseSettings.of("h", 8123, "db", "u", "").withCluster(" "))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("cluster");
        assertThatThrownBy(() -> DropColumnPolicy.parse("erase"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("erase");
    }

    @Test
    void withersKeepEverythingElse() {
        ClickHouseSettings s = ClickHouseSettings.of("h", 8123, "db", "u", "p")
                .withCluster("main").withJsonType(true).withDropColumnPolicy(DropColumnPolicy.parse("DROP"));

        assertThat(s.clusterName()).contains("main");
        assertThat(s.jsonType()).isTrue();
        assertThat(s.dropColumnPolicy()).isEqualTo(DropColumnPolicy.DROP);
        assertThat(s.password()).isEqualTo("p");
        assertThat(s.database()).isEqualTo("db");
    }
}
