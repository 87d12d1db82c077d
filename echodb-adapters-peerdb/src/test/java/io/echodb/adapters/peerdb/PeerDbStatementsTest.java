package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.peerdb.PeerDbGrammar.Kind;
import io.echodb.adapters.peerdb.PeerDbGrammar.Value;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PeerDbStatementsTest {

    /** The CREATE MIRROR option keys PeerDB's analyzer reads (nexus/analyzer); anything else it drops silently. */
    private static final Set<String> KNOWN_MIRROR_KEYS = Set.of("do_initial_copy", "publication_name",
            "replication_slot_name", "max_batch_size", "sync_interval", "snapshot_num_rows_per_partition",
            "snapshot_max_parallel_workers", "soft_delete_col_name", "synced_at_col_name");
    private static final Set<String> NUMERIC_MIRROR_KEYS = Set.of("max_batch_size", "sync_interval",
            "snapshot_num_rows_per_partition", "snapshot_max_parallel_workers");

    private static final String HOSTILE = "p'w\\d\"); DROP MIRROR x; --\n\t'' ü €";

    @Test
    void createsTheSeedsMirrorExactly() {
        MirrorSpec spec = new MirrorSpec(new MirrorName("users_mirror"), TableRef.of("public", "users"), "users");

        String sql = PeerDbStatements.createMirror(spec, "postgres_main", "clickhouse_analytics",
                PeerDbSettings.MirrorOptions.DEFAULTS);

        assertThat(sql).isEqualTo("CREATE MIRROR IF NOT EXISTS users_mirror FROM postgres_main TO clickhouse_analytics"
                + " WITH TABLE MAPPING (public.users:users) WITH (do_initial_copy = true)");
    }

    @Test
    void mirrorOptionsAreOnlyKnownKeysWithTheTypesPeerDbReads() {
        PeerDbSettings.MirrorOptions all = new PeerDbSettings.MirrorOptions(false, "pub_o'k", "slot_x",
                OptionalInt.of(250000), OptionalInt.of(30), OptionalInt.of(500000), OptionalInt.of(4), "_is_deleted",
                "_synced_at");
        MirrorSpec spec = new MirrorSpec(new MirrorName("orders_mirror"), TableRef.of("shop", "orders"), "shop_orders");

        PeerDbGrammar.CreateMirror m = PeerDbGrammar.createMirror(
                PeerDbStatements.createMirror(spec, "postgres_main", "clickhouse_analytics", all));

        assertThat(m.options().keySet()).isSubsetOf(KNOWN_MIRROR_KEYS).hasSize(9);
        assertThat(m.options().get("do_initial_copy")).isEqualTo(new Value(Kind.WORD, "false"));
        m.options().forEach((k, v) -> assertThat(v.kind()).as(k)
                .isEqualTo(NUMERIC_MIRROR_KEYS.contains(k) ? Kind.NUMBER : k.equals("do_initial_copy") ? Kind.WORD : Kind.STRING));
        assertThat(m.options().get("publication_name").text()).isEqualTo("pub_o'k");
        assertThat(m.options().get("sync_interval").text()).isEqualTo("30");
        assertThat(m.mappings()).containsExactly(new PeerDbGrammar.Mapping("shop.orders", "shop_orders"));
        assertThat(m.ifNotExists()).isTrue();
    }

    @Test
    void emptyOptionsAreLeftOutSoPeerDbDefaultsApply() {
        MirrorSpec spec = new MirrorSpec(new MirrorName("t_mirror"), TableRef.of("public", "t"), "t");

        PeerDbGrammar.CreateMirror m = PeerDbGrammar.createMirror(PeerDbStatements.createMirror(spec, "src", "dst",
                PeerDbSettings.MirrorOptions.DEFAULTS));

        assertThat(m.options()).containsOnlyKeys("do_initial_copy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Users", "_tmp", "Straße", "用户", "naïve", "a$b", "t2024", "SELECT", "from", "e", "x", "u"})
    void plainWordsReachPeerDbUnchangedAndKeepTheirCase(String name) {
        MirrorSpec spec = new MirrorSpec(MirrorName.forTable(TableRef.of("Sales", name), true), TableRef.of("Sales", name), name);

        PeerDbGrammar.CreateMirror m = PeerDbGrammar.createMirror(
                PeerDbStatements.createMirror(spec, "src", "dst", PeerDbSettings.MirrorOptions.DEFAULTS));

        // what PeerDB's flow service receives: it splits at the first dot and quotes each half itself
        assertThat(m.mappings()).containsExactly(new PeerDbGrammar.Mapping("Sales." + name, name));
        assertThat(m.name()).isEqualTo(spec.name().value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"my table", "o'brien", "say\"hi\"", "a.b", "a:b", "x);DROP MIRROR y;--", "1st", "tab\tle",
            "new\nline", "semi;colon", "dash-ed", "comma,s", "paren(", "emoji😀", "nbsp\u00a0x", "$lead", "per%cent",
            "back\\slash", ""})
    void namesPeerDbCannotCarryAreRefusedBeforeAnythingIsBuilt(String name) {
        assertThatThrownBy(() -> PeerDbStatements.tableMapping(TableRef.of("public", name.isEmpty() ? "ok" : name),
                name.isEmpty() ? "" : "ok"))
                .isInstanceOf(UnsupportedNameException.class)
                .satisfies(e -> assertThat(((UnsupportedNameException) e).isRetryable()).isFalse())
                .hasMessageContaining("'" + name + "'");
    }

    @Test
    void hostileSchemaAndTargetNamesAreRefusedToo() {
        assertThatThrownBy(() -> PeerDbStatements.tableMapping(TableRef.of("my schema", "t"), "t"))
                .isInstanceOf(UnsupportedNameException.class).hasMessageContaining("schema 'my schema'");
        assertThatThrownBy(() -> PeerDbStatements.tableMapping(TableRef.of("public", "t"), "db.t"))
                .isInstanceOf(UnsupportedNameException.class).hasMessageContaining("target table 'db.t'");
    }

    @Test
    void postgresPeerCarriesEveryValueExactlyWhateverItContains() {
        PeerDbSettings.PostgresPeer p = new PeerDbSettings.PostgresPeer("postgres_main", "db.example.com", 6432,
                "echo'db", HOSTILE, "my db");

        String sql = PeerDbStatements.createPostgresPeer(p);
        PeerDbGrammar.CreatePeer peer = PeerDbGrammar.createPeer(sql);

        assertThat(peer.ifNotExists()).isTrue();
        assertThat(peer.name()).isEqualTo("postgres_main");
        assertThat(peer.type()).isEqualTo("POSTGRES");
        assertThat(peer.options()).containsExactly(
                Map.entry("host", new Value(Kind.STRING, "db.example.com")),
                Map.entry("port", new Value(Kind.STRING, "6432")),
                Map.entry("user", new Value(Kind.STRING, "echo'db")),
                Map.entry("password", new Value(Kind.STRING, HOSTILE)),
                Map.entry("database", new Value(Kind.STRING, "my db")));
    }

    @Test
    void clickHousePeerUsesTheNativePortAndAddsStagingKeysOnlyWhenSet() {
        PeerDbSettings.ClickHousePeer plain = new PeerDbSettings.ClickHousePeer("clickhouse_analytics", "clickhouse", 9000,
                "echodb", "", "echodb", true, PeerDbSettings.S3Staging.NONE);
        PeerDbSettings.ClickHousePeer staged = new PeerDbSettings.ClickHousePeer("clickhouse_analytics", "ch", 9440,
                "echodb", "pw", "analytics", false,
                new PeerDbSettings.S3Staging("s3://bucket/peerdb", "AKIA", HOSTILE, "eu-west-1", "http://minio:9000"));

        PeerDbGrammar.CreatePeer p1 = PeerDbGrammar.createPeer(PeerDbStatements.createClickHousePeer(plain));
        PeerDbGrammar.CreatePeer p2 = PeerDbGrammar.createPeer(PeerDbStatements.createClickHousePeer(staged));

        assertThat(p1.type()).isEqualTo("CLICKHOUSE");
        assertThat(p1.options()).containsOnlyKeys("host", "port", "user", "password", "database", "disable_tls");
        assertThat(p1.options().get("port").text()).isEqualTo("9000");
        assertThat(p1.options().get("disable_tls").text()).isEqualTo("true");
        assertThat(p2.options()).containsOnlyKeys("host", "port", "user", "password", "database", "disable_tls",
                "s3_path", "access_key_id", "secret_access_key", "region", "endpoint");
        assertThat(p2.options().get("secret_access_key").text()).isEqualTo(HOSTILE);
        assertThat(p2.options().get("disable_tls").text()).isEqualTo("false");
    }

    @Test
    void mirrorCommandsUseTheGrammarsIfExistsOnlyWhereItIsSafe() {
        MirrorName name = new MirrorName("users_mirror");

        assertThat(PeerDbGrammar.mirrorCommand(PeerDbStatements.dropMirror(name)))
                .isEqualTo(new PeerDbGrammar.MirrorCommand("DROP", true, "users_mirror"));
        assertThat(List.of(PeerDbStatements.pauseMirror(name), PeerDbStatements.resumeMirror(name),
                PeerDbStatements.resyncMirror(name)).stream().map(PeerDbGrammar::mirrorCommand).toList())
                .containsExactly(new PeerDbGrammar.MirrorCommand("PAUSE", false, "users_mirror"),
                        new PeerDbGrammar.MirrorCommand("RESUME", false, "users_mirror"),
                        new PeerDbGrammar.MirrorCommand("RESYNC", false, "users_mirror"));
    }

    @Test
    void literalsDoubleQuotesKeepBackslashesAndRefuseNul() {
        assertThat(PeerDbStatements.literal("it's \\n")).isEqualTo("'it''s \\n'");
        assertThat(PeerDbStatements.literal("")).isEqualTo("''");
        assertThatThrownBy(() -> PeerDbStatements.literal("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summariesNeverIncludeValues() {
        PeerDbSettings.PostgresPeer p = new PeerDbSettings.PostgresPeer("postgres_main", "h", 5432, "u", "s3cret!", "d");

        String summary = PeerDbStatements.summary(PeerDbStatements.createPostgresPeer(p));

        assertThat(summary).isEqualTo("CREATE PEER IF NOT EXISTS postgres_main FROM POSTGRES").doesNotContain("s3cret");
    }
}
