# Build glue for libuv. uvkit links against the libuv inside the Node binary
# (it exports every public uv_* symbol), so nothing is compiled here: this
# file only finds libuv's headers in Node's include directory, checks that
# the version is new enough and reports it. Moving to another libuv is a
# change in this file alone.
{
  'variables': {
    'uv_version': '<!(python3 "<(DEPTH)/deps/libuv_version.py" "<(node_root_dir)")',
  },
  'include_dirs': ['<(node_root_dir)/include/node'],
  'defines': ['UVKIT_LIBUV_VERSION="<(uv_version)"'],
}
