package org.foliobench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's packages in layers, like the kernel's subsystems: a package uses only packages of
 * strictly lower layers (never a higher one, nor a sibling of its own layer), so the package graph
 * has no cycles. Reads the main sources: every {@code import org.foliobench...} line and every
 * fully-qualified {@code org.foliobench.x.Type} in code (comments and strings left out).
 */
class LayeringTest {

    /** The layers, lowest first; "" is {@code org.foliobench} itself (Defaults, Errno). */
    static final List<List<String>> LAYERS = List.of(
            List.of(""),
            List.of("stats"),
            List.of("mm", "workqueue"),
            List.of("device"),
            List.of("pagecache"),
            List.of("fs"),
            List.of("iopath"),
            List.of("buffer", "iomap"),
            List.of("vfs"));

    private static final Path MAIN = Path.of("src", "main", "java");
    private static final String ROOT = "org.foliobench";
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?(org\\.foliobench[\\w.]*(?:\\.\\*)?)\\s*;",
            Pattern.MULTILINE);
    /** A qualified name in code: lower-case package segments, then a type (upper-case). */
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])org\\.foliobench((?:\\.[a-z_][a-z0-9_]*)*)\\.[A-Z]");

    /** One use of a package by a source file. */
    record Use(Path file, String from, String to, String what) {
        @Override
        public String toString() {
            return file + ": " + label(from) + " uses " + what;
        }
    }

    @Test
    void noPackageUsesAHigherOrSiblingLayerAndThereAreNoCycles() throws IOException {
        List<Use> uses = uses(MAIN).stream().distinct().collect(Collectors.toList());
        List<String> problems = check(uses, packagesOf(MAIN));
        assertTrue(problems.isEmpty(), () -> "engine layering (declared in LayeringTest.LAYERS, lowest first: "
                + LAYERS + "):\n  " + String.join("\n  ", problems));
    }

    @Test
    void theCheckCatchesAnUpwardImportASiblingAndACycle() {
        Path f = Path.of("X.java");
        List<Use> uses = List.of(
                new Use(f, "device", "vfs", "org.foliobench.vfs.Errno"),
                new Use(f, "vfs", "device", "org.foliobench.device.Bio"),
                new Use(f, "buffer", "iomap", "org.foliobench.iomap.Iomap"),
                new Use(f, "fs", "", "org.foliobench.Defaults"));
        Set<String> present = new TreeSet<>(List.of("", "device", "vfs", "buffer", "iomap", "fs", "stats", "mm",
                "workqueue", "pagecache", "iopath"));
        List<String> problems = check(uses, present);
        String all = String.join("\n", problems);
        assertTrue(all.contains("X.java: org.foliobench.device uses org.foliobench.vfs.Errno (a higher layer)"), all);
        assertTrue(all.contains("X.java: org.foliobench.buffer uses org.foliobench.iomap.Iomap (the same layer)"), all);
        assertTrue(all.contains("cycle: org.foliobench.device -> org.foliobench.vfs -> org.foliobench.device"), all);
        assertTrue(problems.stream().noneMatch(p -> p.contains("Defaults")), all);
        assertTrue(check(List.of(), Set.of("", "newpkg")).stream().anyMatch(p -> p.contains("org.foliobench.newpkg")
                && p.contains("not in LAYERS")));
    }

    /** What is wrong with these uses, one line per problem; empty when the layering holds. */
    static List<String> check(List<Use> uses, Set<String> present) {
        Map<String, Integer> layer = new LinkedHashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                layer.put(p, i);
            }
        }
        List<String> problems = new ArrayList<>();
        for (String p : present) {
            if (!layer.containsKey(p)) {
                problems.add(label(p) + " is not in LAYERS: declare the layer it belongs to");
            }
        }
        for (String p : layer.keySet()) {
            if (!present.contains(p)) {
                problems.add(label(p) + " is in LAYERS but has no sources: drop it from LAYERS");
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Use u : uses) {
            if (u.from.equals(u.to)) {
                continue;
            }
            graph.computeIfAbsent(u.from, k -> new TreeSet<>()).add(u.to);
            Integer lf = layer.get(u.from);
            Integer lt = layer.get(u.to);
            if (lf == null || lt == null) {
                if (lt == null && !present.contains(u.to)) {
                    problems.add(u.file + ": " + label(u.from) + " uses " + u.what + " of no engine package");
                }
                continue;
            }
            if (lt > lf) {
                problems.add(u + " (a higher layer)");
            } else if (lt.equals(lf)) {
                problems.add(u + " (the same layer)");
            }
        }
        for (Set<String> component : components(graph)) {
            problems.add("cycle: " + cycleWithin(component, graph).stream().map(LayeringTest::label)
                    .collect(Collectors.joining(" -> ")) + " (packages that reach each other: "
                    + component.stream().map(LayeringTest::label).collect(Collectors.joining(", ")) + ")");
        }
        return problems;
    }

    /** The strongly connected components of more than one package (Tarjan): each holds a cycle. */
    static List<Set<String>> components(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new TreeMap<>();
        Map<String, Integer> low = new TreeMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, components, next);
            }
        }
        components.removeIf(c -> c.size() < 2);
        return components;
    }

    private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, List<String> stack, Set<String> onStack, List<Set<String>> components, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.add(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, components, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> c = new TreeSet<>();
            String w;
            do {
                w = stack.remove(stack.size() - 1);
                onStack.remove(w);
                c.add(w);
            } while (!w.equals(v));
            components.add(c);
        }
    }

    /** A shortest cycle from the component's first package back to itself, staying inside it (BFS). */
    private static List<String> cycleWithin(Set<String> component, Map<String, Set<String>> graph) {
        String start = component.iterator().next();
        Map<String, String> parent = new LinkedHashMap<>();
        List<String> queue = new ArrayList<>(List.of(start));
        for (int i = 0; i < queue.size(); i++) {
            String v = queue.get(i);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!component.contains(w)) {
                    continue;
                }
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String u = v; !u.equals(start); u = parent.get(u)) {
                        path.add(0, u);
                    }
                    path.add(0, start);
                    return path;
                }
                if (!parent.containsKey(w)) {
                    parent.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new AssertionError("no cycle in " + component);
    }

    /** Every use of an engine package by a main source file under {@code root}. */
    static List<Use> uses(Path root) throws IOException {
        List<Use> uses = new ArrayList<>();
        for (Path f : sources(root)) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            String from = packageOf(f, text);
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                uses.add(new Use(f, from, packageOfName(m.group(1)), m.group(1)));
            }
            String code = IMPORT.matcher(PACKAGE.matcher(codeOnly(text)).replaceAll("")).replaceAll("");
            Matcher q = QUALIFIED.matcher(code);
            while (q.find()) {
                String pkg = q.group(1).isEmpty() ? "" : q.group(1).substring(1);
                int end = q.end();
                while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
                    end++;
                }
                uses.add(new Use(f, from, pkg, code.substring(q.start(), end)));
            }
        }
        return uses;
    }

    /** The engine packages that have sources under {@code root}, relative to org.foliobench. */
    static Set<String> packagesOf(Path root) throws IOException {
        Set<String> packages = new TreeSet<>();
        for (Path f : sources(root)) {
            packages.add(packageOf(f, Files.readString(f, StandardCharsets.UTF_8)));
        }
        return packages;
    }

    private static List<Path> sources(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).sorted()
                    .collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String packageOf(Path f, String text) {
        Matcher m = PACKAGE.matcher(codeOnly(text));
        if (!m.find() || !(m.group(1).equals(ROOT) || m.group(1).startsWith(ROOT + "."))) {
            throw new AssertionError(f + ": no package " + ROOT + "... line");
        }
        return m.group(1).equals(ROOT) ? "" : m.group(1).substring(ROOT.length() + 1);
    }

    /** The engine package (relative) of an imported name: its segments before the first type or '*'. */
    static String packageOfName(String name) {
        List<String> pkg = new ArrayList<>();
        String[] parts = name.split("\\.");
        for (int i = 2; i < parts.length; i++) {
            if (parts[i].equals("*") || Character.isUpperCase(parts[i].charAt(0))) {
                break;
            }
            pkg.add(parts[i]);
        }
        return String.join(".", pkg);
    }

    private static String label(String pkg) {
        return pkg.isEmpty() ? ROOT : ROOT + "." + pkg;
    }

    /** The source with comments, string and char literals and text blocks blanked (newlines kept). */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' && s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(' ');
                i = Math.min(j + 1, n);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }
}
