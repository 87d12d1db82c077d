package io.echodb.adapters.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The adapter's two literal renderers (the replication side's and the DDL capture's) mean the same text on a real
 * server, with {@code standard_conforming_strings} on and off (a database may turn it off; a backslash then escapes).
 */
class PgLiteralsTest {

    private static final List<String> TRICKY = List.of("plain", "it's", "back\\slash", "\\'; DROP TABLE x; --",
            "ends with \\", "''", "ünïcödé ✓", "tab\there", "E'not an escape'");

    private static PgTestDatabase db;

    @BeforeAll
    static void create() {
        db = PgTestDatabase.create("literals");
    }

    @AfterAll
    static void drop() {
        db.drop();
    }

    private static void roundTrips(Function<String, String> render, String conforming) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET standard_conforming_strings = " + conforming);
            for (String text : TRICKY) {
                try (ResultSet rs = st.executeQuery("SELECT " + render.apply(text))) {
                    rs.next();
                    assertThat(rs.getString(1)).as("%s with standard_conforming_strings %s", text, conforming).isEqualTo(text);
                }
            }
        }
    }

    @Test
    void bothRenderersMeanTheSameTextWhateverTheSetting() throws Exception {
        for (String conforming : List.of("on", "off")) {
            roundTrips(PgQuoting::literal, conforming);
            roundTrips(io.echodb.adapters.postgres.jdbc.PgQuoting::literal, conforming);
        }
        for (String text : TRICKY) {
            assertThat(PgQuoting.literal(text)).isEqualTo(io.echodb.adapters.postgres.jdbc.PgQuoting.literal(text));
        }
    }
}
