package org.foliobench;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One kernel tunable of the model, declared once ({@link Tunables}): the kernel's name for it, the
 * names it goes by in foliobench (the job-file option, the command-line flag, the JMH param and
 * pass-log key, the {@code tunable.<key>} metadata key), its default (from {@link Defaults}), and the
 * one parser and validator of its values, with the one message a bad value gets wherever it is
 * given. Immutable.
 *
 * @param <T> the value's type: {@code Integer}, {@code Long} (bytes), {@code Boolean} or an enum
 */
public final class Tunable<T> {


    /** The JMH param value of a tunable left at its default ({@link #toParam}). */
    public static final String DEFAULT_PARAM = "default";

    private final String name;
    private final String key;
    private final String option;
    private final String flag;
    private final String param;
    private final T defaultValue;
    private final String defaultText;
    private final Function<String, T> syntax;
    private final Predicate<T> valid;
    private final String allowed;
    private final Function<T, String> format;

    Tunable(String name, String key, String option, String flag, String param, T defaultValue, String defaultText,
            Function<String, T> syntax, Predicate<T> valid, String allowed, Function<T, String> format) {
        this.name = Objects.requireNonNull(name);
        this.key = Objects.requireNonNull(key);
        this.option = Objects.requireNonNull(option);
        this.flag = flag;
        this.param = param;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText != null ? defaultText : format.apply(defaultValue);
        this.syntax = syntax;
        this.valid = valid;
        this.allowed = allowed;
        this.format = format;
    }

    /** The kernel's name: {@code vm.dirty_ratio}, {@code queue/read_ahead_kb}, {@code MAX_PAGECACHE_ORDER}. */
    public String name() {
        return name;
    }

    /** The short name: {@code dirty_ratio}; the run's metadata records it as {@link #metadataKey()}. */
    public String key() {
        return key;
    }

    /** The job-file option: {@code fb_dirty_ratio}. */
    public String option() {
        return option;
    }

    /** The command-line flag of {@code tables} and {@code run}, {@code --dirty-ratio}; null when there is none. */
    public String flag() {
        return flag;
    }

    /** The JMH param (and pass-log key) the value travels to a fork by, {@code dirtyRatio}; null when it does not travel. */
    public String param() {
        return param;
    }

    /** The run's metadata key: {@code tunable.dirty_ratio}. */
    public String metadataKey() {
        return "tunable." + key;
    }

    /** The kernel's default ({@link Defaults}); null when it depends on another tunable ({@link #defaultText()}). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as help texts print it. */
    public String defaultText() {
        return defaultText;
    }

    /** The values it takes, as the fix of every error names them: {@code use 0..100}. */
    public String allowed() {
        return allowed;
    }

    /** Parses and validates {@code text} (surrounding blanks ignored); throws {@link InvalidValue}. */
    public T parse(String text) {
        String t = text.strip();
        T v;
        try {
            v = syntax.apply(t);
        } catch (IllegalArgumentException e) {
            throw invalid(t);
        }
        if (!valid.test(v)) {
            throw invalid(t);
        }
        return v;
    }

    /** {@code value} if the tunable takes it; throws {@link InvalidValue} otherwise. */
    public T check(T value) {
        if (value == null ? defaultValue != null : !valid.test(value)) {
            throw invalid(String.valueOf(value == null ? null : format.apply(value)));
        }
        return value;
    }

    /** The value as the job file writes it (and {@link #parse} reads it back). */
    public String format(T value) {
        return format.apply(value);
    }

    /** The value as a JMH param: {@link #format}, or {@link #DEFAULT_PARAM} for null. */
    public String toParam(T value) {
        return value == null ? DEFAULT_PARAM : format.apply(value);
    }

    /** The inverse of {@link #toParam}: {@link #DEFAULT_PARAM} is the default. */
    public T fromParam(String text) {
        return text.equals(DEFAULT_PARAM) ? defaultValue : parse(text);
    }

    /** The one message a bad value gets. */
    private InvalidValue invalid(String text) {
        return new InvalidValue("bad value \"" + text + "\" for " + name, allowed);
    }

    @Override
    public String toString() {
        return name;
    }
}
