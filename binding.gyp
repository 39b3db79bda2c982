{
  'variables': { 'uvkit_portable%': 0 },
  'targets': [
    {
      'target_name': 'uvkit',
      'includes': ['deps/libuv.gypi'],
      # Every file in native/ (each registers itself: UVKIT_INIT in uvkit.h).
      'sources': ['<!@(ls -1 native/*.cc)'],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED',
                  # An exception that cannot be thrown (the environment is ending:
                  # worker.terminate(), process.exit() in a worker) is dropped
                  # instead of aborting the process.
                  'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wno-unused-parameter',
                    '-fvisibility=hidden', '-fvisibility-inlines-hidden'],
      'ldflags': ['-Wl,--version-script=<(module_root_dir)/deps/exports.map'],
      'cflags_cc!': ['-fno-exceptions'],
      'conditions': [
        # The prebuilt addons (scripts/prebuilds.sh passes --uvkit_portable=1):
        # libstdc++ linked in and hidden (no GLIBCXX requirement), and every
        # glibc symbol that would need a version newer than 2.28 sent to
        # deps/portable/glibc_compat.c. A build from source (any libc) uses
        # neither.
        ['uvkit_portable==1', {
          'sources': ['deps/portable/glibc_compat.c'],
          'cflags_c': ['-O2', '-Wall'],
          'ldflags': [
            '-static-libstdc++',
            '-Wl,--exclude-libs,ALL',
            '-Wl,--wrap=pthread_create', '-Wl,--wrap=pthread_join', '-Wl,--wrap=pthread_detach',
            '-Wl,--wrap=pthread_once', '-Wl,--wrap=pthread_key_create', '-Wl,--wrap=__pthread_key_create',
            '-Wl,--wrap=dlopen', '-Wl,--wrap=dlsym', '-Wl,--wrap=dladdr', '-Wl,--wrap=dlclose', '-Wl,--wrap=dlerror',
            '-Wl,--wrap=fstat64', '-Wl,--wrap=stat64', '-Wl,--wrap=lstat64',
            '-Wl,--wrap=__libc_single_threaded', '-Wl,--wrap=arc4random',
          ],
          # glibc < 2.34 has dlopen and pthread_* in these two (>= 2.34: stubs).
          'libraries': ['-Wl,--no-as-needed', '-l:libdl.so.2', '-l:libpthread.so.0'],
        }],
      ],
    },
  ],
}
