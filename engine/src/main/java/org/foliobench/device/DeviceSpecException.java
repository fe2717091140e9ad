package org.foliobench.device;

/**
 * A device spec that cannot be parsed or opened, with a one-line message naming the spec, the
 * problem and the fix, e.g. {@code device spec "foo:/x": unknown kind "foo" (use ramdisk:, file: or direct:)}.
 */
public final class DeviceSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    DeviceSpecException(String spec, String problem) {
        super("device spec \"" + spec + "\": " + problem);
    }

    DeviceSpecException(String spec, String problem, Throwable cause) {
        super("device spec \"" + spec + "\": " + problem, cause);
    }
}
