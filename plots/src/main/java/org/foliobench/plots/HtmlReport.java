package org.foliobench.plots;

import java.util.List;
import java.util.Map;
import org.foliobench.results.ModelVsKernel;
import org.foliobench.results.PublishedComparison;
import org.foliobench.results.FioJsonExport;
import org.foliobench.results.ReferenceTable;
import org.foliobench.results.RunFolder;
import org.foliobench.results.SeedTables;
import org.foliobench.results.Table;

/** {@code index.html}: one self-contained page (inline CSS, no scripts, no network) beside its chart files. */
final class HtmlReport {

    private HtmlReport() {
    }

    static final String CSS = String.join("\n",
            "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1800px}",
            "h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}",
            ".banner{background:#fff3cd;border:2px solid #d39e00;color:#7a5b00;padding:10px 14px;font-weight:bold;margin:12px 0}",
            ".desc{color:#555}.legend{color:#555;font-size:13px;max-width:1100px}",
            ".scroll{overflow-x:auto}",
            "table{border-collapse:collapse;font-size:13px;margin:6px 0}",
            "th,td{border:1px solid #ccc;padding:3px 7px;white-space:nowrap}",
            "th{background:#f2f2f2;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}",
            "tr:nth-child(even) td{background:#fafafa}tr.geo td{font-weight:600}",
            "pre{background:#f7f7f7;border:1px solid #ddd;padding:8px;font-size:12px;overflow-x:auto}",
            ".charts{display:flex;flex-wrap:wrap;gap:16px}",
            "figure{margin:0;border:1px solid #e3e3e3;padding:6px;background:#fff;flex:1 1 560px;max-width:740px}",
            "figure.wide{flex-basis:100%;max-width:1420px}",
            "figure img{display:block;width:100%;height:auto}figcaption{font-size:12px;color:#555}",
            "nav a{margin-right:14px}footer{margin-top:32px;font-size:12px;color:#777}");

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    static String table(Table t) {
        StringBuilder b = new StringBuilder("<div class=\"scroll\"><table>\n<thead><tr>");
        for (String h : t.header()) {
            b.append("<th>").append(escape(h)).append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> r : t.rows()) {
            b.append(r.get(0).equals("geomean") ? "<tr class=\"geo\">" : "<tr>");
            for (int c = 0; c < r.size(); c++) {
                b.append(t.rightAligned(c) ? "<td class=\"n\">" : "<td>").append(escape(r.get(c))).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</tbody></table></div>\n").toString();
    }

    /** The page of a run; {@code beside} is the model set beside a kernel run, or null. */
    static String page(RunFolder run, List<Charts.NamedChart> charts, List<String> fioFiles, ModelVsKernel beside) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>foliobench: ").append(escape(run.name())).append(run.complete() ? "" : " (INCOMPLETE)")
                .append("</title>\n<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n");
        b.append("<h1>foliobench fio psync tables: ").append(escape(run.name())).append("</h1>\n");
        if (!run.complete()) {
            b.append("<div class=\"banner\" id=\"incomplete\">").append(escape(run.incompleteNotice())).append("</div>\n");
        }
        String desc = SeedTables.runDescription(run);
        if (!desc.isEmpty()) {
            b.append("<p class=\"desc\">").append(escape(desc)).append("</p>\n");
        }
        b.append("<nav><a href=\"tables.md\">tables.md</a><a href=\"tables.csv\">tables.csv</a>")
                .append("<a href=\"tables-long.csv\">tables-long.csv</a>")
                .append("<a href=\"published-vs-measured.md\">published-vs-measured.md</a>")
                .append("<a href=\"published-vs-measured.csv\">published-vs-measured.csv</a>")
                .append("<a href=\"#charts\">charts</a><a href=\"#fio\">fio JSON</a><a href=\"#metadata\">metadata</a></nav>\n");

        if (beside != null) {
            b.append("<h2 id=\"model-vs-kernel\">Model vs kernel (<a href=\"model-vs-kernel.md\">model-vs-kernel.md</a>)</h2>\n")
                    .append("<p class=\"desc\">").append(escape(beside.correspondence())).append(" Model run: ")
                    .append(escape(beside.model().dir().toString())).append("</p>\n<ul>\n");
            for (String line : beside.summaryMarkdown().split("\n")) {
                if (line.startsWith("- ")) {
                    b.append("<li>").append(escape(line.substring(2))).append("</li>\n");
                }
            }
            b.append("</ul>\n").append(table(beside.table()));
        }
        PublishedComparison pc = PublishedComparison.of(run);
        b.append("<h2>Published vs measured: summary</h2>\n<ul>\n");
        for (String line : pc.summaryMarkdown().split("\n")) {
            if (line.startsWith("- ")) {
                b.append("<li>").append(escape(line.substring(2))).append("</li>\n");
            }
        }
        b.append("</ul>\n");
        if (org.foliobench.results.ThreeWayTable.applies(run)) {
            // a run with bhlf: the 2024-11 mail's rows, as published-vs-measured.md has them
            b.append("<h2 id=\"three-way\">Published vs measured: the 2024-11 rows (bh, iomap, bhlf)</h2>\n<pre>")
                    .append(escape(org.foliobench.results.ThreeWayTable.publishedVsMeasured(run))).append("</pre>\n");
        }

        Table read = SeedTables.readTable(run);
        Table write = SeedTables.writeTable(run);
        if (read.rows().isEmpty() && write.rows().isEmpty()) {
            b.append("<p>No rows measured yet.</p>\n");
        }
        for (Table t : List.of(read, write)) {
            if (!t.rows().isEmpty()) {
                b.append("<h2>== ").append(escape(t.title())).append(" ==</h2>\n").append(table(t));
            }
        }
        b.append("<p class=\"legend\">").append(escape(SeedTables.legend(run))).append("</p>\n");
        if (org.foliobench.results.ScalingTable.applies(run)) {
            String n = org.foliobench.results.ScalingTable.NAME;
            b.append("<h2 id=\"scaling\">Scaling with threads (<a href=\"").append(n).append(".md\">").append(n)
                    .append(".md</a>, <a href=\"").append(n).append(".csv\">").append(n).append(".csv</a>)</h2>\n")
                    .append("<p class=\"legend\">Throughput of all the job's threads together (fio numjobs, group_reporting);"
                            + " vs 1 thread: over that of numjobs=1. Charts: scaling-*.</p>\n")
                    .append(table(org.foliobench.results.ScalingTable.table(run)));
        }

        b.append("<h2 id=\"charts\">Charts</h2>\n<div class=\"charts\">\n");
        for (Charts.NamedChart c : charts) {
            String png = "charts/" + c.name() + ".png";
            String svg = "charts/" + c.name() + ".svg";
            b.append(c.width() > 1000 ? "<figure class=\"wide\">" : "<figure>").append("<a href=\"").append(svg).append("\"><img src=\"").append(png).append("\" alt=\"")
                    .append(escape(c.caption())).append("\" width=\"").append(c.width()).append("\" height=\"")
                    .append(c.height()).append("\"></a><figcaption>").append(escape(c.caption()))
                    .append(" (<a href=\"").append(svg).append("\">SVG</a>)</figcaption></figure>\n");
        }
        b.append("</div>\n");

        if (!pc.entries().isEmpty()) {
            b.append("<h2>Published vs measured: per row</h2>\n").append(table(pc.table()));
        }
        b.append("<h2>As the cover letter prints it</h2>\n<p class=\"legend\">This run, published columns only:</p>\n<pre>")
                .append(escape(SeedTables.seedText(run))).append("</pre>\n<p class=\"legend\">Published (")
                .append(escape(ReferenceTable.SOURCE)).append("):</p>\n<pre>")
                .append(escape(SeedTables.seedText(ReferenceTable.published()))).append("</pre>\n");

        b.append("<h2 id=\"fio\">fio JSON</h2>\n<p class=\"legend\">One file per row in fio 3.33's "
                + "<code>--output-format=json+</code> layout (jobs[0] = bh, jobs[1] = iomap); the same jobs one per file in "
                + "fio-plot's folders under <code>").append(FioJsonExport.FIO_PLOT_DIR).append("/</code>.</p>\n<p>");
        for (String f : fioFiles) {
            b.append("<a href=\"fio/").append(escape(f)).append("\">").append(escape(f)).append("</a> ");
        }
        b.append("</p>\n");

        b.append("<h2 id=\"metadata\">Run metadata</h2>\n<div class=\"scroll\"><table>\n");
        b.append("<tr><th>folder</th><td>").append(escape(run.dir().toString())).append("</td></tr>\n");
        b.append("<tr><th>complete</th><td>").append(run.complete() ? "yes" : "NO (INCOMPLETE marker present)").append("</td></tr>\n");
        for (Map.Entry<String, String> e : run.metadata().entrySet()) {
            b.append("<tr><th>").append(escape(e.getKey())).append("</th><td>").append(escape(e.getValue())).append("</td></tr>\n");
        }
        b.append("</table></div>\n");
        if (!run.warnings().isEmpty()) {
            b.append("<h2>Warnings</h2>\n<ul>\n");
            for (String w : run.warnings()) {
                b.append("<li>").append(escape(w)).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        b.append("<footer>Generated by foliobench report from ").append(escape(run.dir().toString()))
                .append(". Published numbers: ").append(escape(ReferenceTable.SOURCE)).append(".</footer>\n");
        b.append("</body>\n</html>\n");
        return b.toString();
    }
}
