{
  'variables': { 'uvkit_portable%': 0 },
  'targets': [
    {
      'target_name': 'uvkit',
      'includes': ['deps/libuv.gypi'],
      'sources': [
        'native/addon.cc',
        'native/loop.cc',
        'native/handle.cc',
        'native/timer.cc',
        'native/loopwatchers.cc',
        'native/async.cc',
        'native/signal.cc',
        'native/udp.cc',
        'native/poll.cc',
        'native/dns.cc',
        'native/stream.cc',
        'native/tcp.cc',
        'native/pipe.cc',
        'native/tty.cc',
        'native/errors.cc',
        'native/util.cc',
        'native/fs_event.cc',
        'native/fs_poll.cc',
        'native/process.cc',
        'native/mailbox.cc',
        'native/work.cc',
        'native/fs.cc',
        'native/readpool.cc',
        'native/features.cc',
        'native/misc.cc',
        'native/tls_engine.cc',
        'native/tls_context.cc',
        'native/tls.cc',
      ],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED',
                  # An exception that cannot be thrown (the environment is ending:
                  # worker.terminate(), process.exit() in a worker) is dropped
                  # instead of aborting the process.
                  'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wno-unused-parameter'],
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
