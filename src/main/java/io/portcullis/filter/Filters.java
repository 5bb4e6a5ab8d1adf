package io.portcullis.filter;

import io.portcullis.config.FilterConfig;
import java.util.ArrayList;
import java.util.List;

/** Builds a route's filters from their config, in the route's order: the one place that knows every kind. */
public final class Filters {
    private Filters() {
    }

    public static List<Filter> create(List<FilterConfig> configs) {
        List<Filter> out = new ArrayList<>(configs.size());
        for (FilterConfig c : configs) {
            out.add(switch (c) {
                case FilterConfig.Fault fault -> new FaultFilter(fault);
            });
        }
        return List.copyOf(out);
    }
}
