package io.verdant.internal.chan;

/**
 * One case of a select: send {@code value} to {@code channel}, or receive from it.
 *
 * @param channel the channel
 * @param send true for a send case
 * @param value the value a send case offers; null for a receive case
 */
public record SelectCase(ChannelImpl<?> channel, boolean send, Object value) {
}
