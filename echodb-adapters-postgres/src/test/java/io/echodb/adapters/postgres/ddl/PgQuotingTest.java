package io.echodb.adapters.postgres.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgQuotingTest {

    private static final List<String> NASTY = List.of("plain", "it's", "a\"b", "back\\slash", "\\'; DROP TABLE x; --",
            "$$", "$echodb$", "ünïcødé", "%KNOWN%");

    @Test
    void identifiersAndLiteralsRoundTripThroughTheServerWhateverStandardConformingStringsIs() throws SQLException {
        PgTestDb db = PgTestDb.create("quoting");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String scs : List.of("on", "off")) {
                st.execute("SET standard_conforming_strings = " + scs);
                for (String s : NASTY) {
                    try (ResultSet rs = st.executeQuery("SELECT " + PgQuoting.literal(s) + ", " + PgQuoting.literal(s)
                            + "::text AS " + PgQuoting.ident(s))) {
                        rs.next();
                        assertThat(rs.getString(1)).as("literal with scs=%s", scs).isEqualTo(s);
                        assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo(s);
                    }
                    try (ResultSet rs = st.executeQuery("SELECT " + PgQuoting.dollarQuote(s))) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo(s);
                    }
                }
            }
        } finally {
            db.close();
        }
    }

    @Test
    void badInputsAreRejected() {
        assertThatThrownBy(() -> PgQuoting.ident("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgQuoting.ident("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgQuoting.literal("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void placeholdersAreFilledInOnePass() {
        assertThat(DdlCaptureScript.fill("a %X% b %Y% c 50%", Map.of("X", "%Y%", "Y", "y")))
                .isEqualTo("a %Y% b y c 50%");
    }
}
