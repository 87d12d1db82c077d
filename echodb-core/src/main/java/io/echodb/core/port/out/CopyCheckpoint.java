package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How far a mirror's copy got, kept with its record so that a copy cut short (a crash, a leader change, an outage)
 * resumes instead of starting over. {@code point} is the consistent point of the copy's first attempt: the rows of the
 * {@code finished} ranges are as of that point or later, and the stream applies every change from it on. {@code
 * resumed}: a later attempt (at a later point) read the remaining ranges, so rows moved by an update into a finished
 * range were never read by the copy (see docs/DECISIONS.md, "Resumable copies"). Ranges of one file are kept merged
 * and sorted.
 */
public record CopyCheckpoint(Lsn point, List<CopyRange> finished, boolean resumed) {

    private static final String VERSION = "v1";
    private static final Comparator<CopyRange> ORDER = Comparator.comparingLong(CopyRange::relationId)
            .thenComparingLong(CopyRange::fileNode).thenComparingLong(CopyRange::firstPage);

    public CopyCheckpoint {
        Objects.requireNonNull(point, "point");
        finished = merged(Objects.requireNonNull(finished, "finished"));
    }

    /** A copy at {@code point} that has finished nothing yet. */
    public static CopyCheckpoint startedAt(Lsn point) {
        return new CopyCheckpoint(point, List.of(), false);
    }

    /** With {@code range} finished too. */
    public CopyCheckpoint withFinished(CopyRange range) {
        List<CopyRange> all = new ArrayList<>(finished);
        all.add(Objects.requireNonNull(range, "range"));
        return new CopyCheckpoint(point, all, resumed);
    }

    /** A later attempt resumes from this one. */
    public CopyCheckpoint markResumed() {
        return resumed ? this : new CopyCheckpoint(point, finished, true);
    }

    /** Once the copy completed: the finished ranges no longer matter, whether it was resumed still does. */
    public CopyCheckpoint completed() {
        return new CopyCheckpoint(point, List.of(), resumed);
    }

    public boolean hasFinishedRanges() {
        return !finished.isEmpty();
    }

    /**
     * The pages of leaf {@code relationId}'s file {@code fileNode} no finished range covers, in order; the last one is
     * open-ended unless a finished range is. All of the file when no range of it finished (another file: rewritten).
     */
    public static List<CopyRange> remaining(List<CopyRange> finished, long relationId, long fileNode) {
        List<CopyRange> done = new ArrayList<>();
        for (CopyRange r : merged(finished)) {
            if (r.relationId() == relationId && r.fileNode() == fileNode) {
                done.add(r);
            }
        }
        List<CopyRange> gaps = new ArrayList<>();
        long next = 0;
        for (CopyRange r : done) {
            if (r.firstPage() > next) {
                gaps.add(new CopyRange(relationId, fileNode, next, r.firstPage()));
            }
            next = Math.max(next, r.endPage());
        }
        if (next != CopyRange.END) {
            gaps.add(new CopyRange(relationId, fileNode, next, CopyRange.END));
        }
        return gaps;
    }

    /**
     * The share of pages {@code [0, pages)} of leaf {@code relationId}'s file {@code fileNode} that no finished range
     * covers: 1 when none does (or the file is empty), 0 when all are.
     */
    public static double uncoveredShare(List<CopyRange> finished, long relationId, long fileNode, long pages) {
        if (pages <= 0) {
            return 1;
        }
        long uncovered = 0;
        for (CopyRange gap : remaining(finished, relationId, fileNode)) {
            uncovered += Math.max(0, Math.min(gap.endPage(), pages) - Math.min(gap.firstPage(), pages));
        }
        return (double) uncovered / pages;
    }

    private static List<CopyRange> merged(List<CopyRange> ranges) {
        List<CopyRange> sorted = new ArrayList<>(ranges);
        sorted.sort(ORDER);
        List<CopyRange> out = new ArrayList<>();
        for (CopyRange r : sorted) {
            CopyRange last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.sameFile(r) && r.firstPage() <= last.endPage()) {
                out.set(out.size() - 1, new CopyRange(r.relationId(), r.fileNode(), last.firstPage(),
                        Math.max(last.endPage(), r.endPage())));
            } else {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }

    /** A compact text form for stores: {@code v1 <point> <resumed 0|1> [<range> ...]}, ranges as {@link CopyRange#toString}. */
    public String encode() {
        StringBuilder sb = new StringBuilder(VERSION).append(' ').append(point).append(' ').append(resumed ? '1' : '0');
        for (CopyRange r : finished) {
            sb.append(' ').append(r);
        }
        return sb.toString();
    }

    /** Reads {@link #encode}'s form; throws {@link InvalidValueException} naming the text when it is not that. */
    public static CopyCheckpoint parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.trim().split(" ");
        try {
            if (parts.length < 3 || !VERSION.equals(parts[0]) || !(parts[2].equals("0") || parts[2].equals("1"))) {
                throw new IllegalArgumentException("expected 'v1 <lsn> <0|1> <ranges>'");
            }
            List<CopyRange> ranges = new ArrayList<>();
            for (int i = 3; i < parts.length; i++) {
                String[] relFile = parts[i].substring(0, parts[i].indexOf(':')).split("/");
                String[] pages = parts[i].substring(parts[i].indexOf(':') + 1).split("\\.\\.");
                ranges.add(new CopyRange(Long.parseLong(relFile[0]), Long.parseLong(relFile[1]), Long.parseLong(pages[0]),
                        pages[1].equals("end") ? CopyRange.END : Long.parseLong(pages[1])));
            }
            return new CopyCheckpoint(Lsn.parse(parts[1]), ranges, parts[2].equals("1"));
        } catch (RuntimeException e) {
            throw InvalidValueException.of("copy checkpoint", text, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }
}
