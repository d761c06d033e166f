package io.verdant.internal.chan;

import io.verdant.Channel;

public final class ChannelTestAccess {
    private ChannelTestAccess() {
    }

    public static int queuedNodes(Channel<?> ch) {
        return ((ChannelImpl<?>) ch).queuedNodes();
    }
}
