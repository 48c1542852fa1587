package dev.labwire.mock;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML device file into {@link DeviceNode}s with SnakeYAML's composer: nodes only, no objects are ever
 * constructed (no tags run code), scalars stay the text written. Only loaded when a YAML file is read, so SnakeYAML
 * is needed only then.
 */
final class YamlDevice {

    private YamlDevice() {
    }

    /** Whether SnakeYAML is on the class or module path. */
    static boolean available() {
        try {
            Class.forName("org.yaml.snakeyaml.Yaml", false, YamlDevice.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static DeviceNode parse(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new MockDeviceException(source, m == null ? 0 : m.getLine() + 1, "", "invalid YAML: " + problem, e);
        } catch (YAMLException e) {
            throw new MockDeviceException(source, 0, "", "invalid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new MockDeviceException(source, 1, "", "the file holds no YAML document");
        }
        return convert(root, source, "");
    }

    private static DeviceNode convert(Node node, String source, String key) {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        if (node instanceof ScalarNode s) {
            return new DeviceNode(Tag.NULL.equals(s.getTag()) ? null : s.getValue(), line, source, key);
        }
        if (node instanceof SequenceNode seq) {
            List<DeviceNode> l = new ArrayList<>();
            for (Node n : seq.getValue()) {
                l.add(convert(n, source, key + "[" + l.size() + "]"));
            }
            return new DeviceNode(Collections.unmodifiableList(l), line, source, key);
        }
        MappingNode map = (MappingNode) node;
        Map<String, DeviceNode> m = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new MockDeviceException(source, t.getKeyNode().getStartMark().getLine() + 1, key,
                        "a key must be a plain text");
            }
            String path = key.isEmpty() ? k.getValue() : key + "." + k.getValue();
            if (m.containsKey(k.getValue())) {
                throw new MockDeviceException(source, k.getStartMark().getLine() + 1, path, "duplicate key");
            }
            m.put(k.getValue(), convert(t.getValueNode(), source, path));
        }
        return new DeviceNode(Collections.unmodifiableMap(m), line, source, key);
    }
}
