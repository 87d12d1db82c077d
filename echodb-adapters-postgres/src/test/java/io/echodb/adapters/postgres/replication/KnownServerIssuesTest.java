package io.echodb.adapters.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KnownServerIssuesTest {

    @Test
    void releasesBeforeTheUpstreamFixAreFlagged() {
        assertThat(KnownServerIssues.publicationCacheWarning(170002)).get().asString()
                .contains("PostgreSQL 17.2").contains("17.5 or later");
        assertThat(KnownServerIssues.publicationCacheWarning(160008)).get().asString().contains("16.9 or later");
        assertThat(KnownServerIssues.publicationCacheWarning(150012)).isPresent();
        assertThat(KnownServerIssues.publicationCacheWarning(140017)).isPresent();
        assertThat(KnownServerIssues.publicationCacheWarning(130020)).isPresent();
        assertThat(KnownServerIssues.publicationCacheWarning(120022)).get().asString().contains("a supported major version");
    }

    @Test
    void fixedReleasesAreNotFlagged() {
        assertThat(KnownServerIssues.publicationCacheWarning(170005)).isEmpty();
        assertThat(KnownServerIssues.publicationCacheWarning(160009)).isEmpty();
        assertThat(KnownServerIssues.publicationCacheWarning(150013)).isEmpty();
        assertThat(KnownServerIssues.publicationCacheWarning(140018)).isEmpty();
        assertThat(KnownServerIssues.publicationCacheWarning(130021)).isEmpty();
        assertThat(KnownServerIssues.publicationCacheWarning(180000)).isEmpty();
    }
}
