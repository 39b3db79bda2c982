"""Print the version of the libuv headers that ship with Node; fail if < 1.46."""
import os
import re
import sys

MINIMUM = (1, 46, 0)

root = sys.argv[1]
header = os.path.join(root, "include", "node", "uv", "version.h")
with open(header) as f:
    text = f.read()
parts = tuple(int(re.search(r"#define UV_VERSION_%s\s+(\d+)" % p, text).group(1))
              for p in ("MAJOR", "MINOR", "PATCH"))
version = "%d.%d.%d" % parts
if parts < MINIMUM:
    sys.stderr.write("uvkit needs libuv >= %d.%d.%d, Node ships %s (%s)\n"
                     % (MINIMUM + (version, header)))
    sys.exit(1)
sys.stderr.write("uvkit: building against libuv %s from %s\n" % (version, header))
print(version)
