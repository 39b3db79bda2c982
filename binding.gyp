{
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
      ],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED',
                  # An exception that cannot be thrown (the environment is ending:
                  # worker.terminate(), process.exit() in a worker) is dropped
                  # instead of aborting the process.
                  'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wno-unused-parameter'],
      'cflags_cc!': ['-fno-exceptions'],
    },
  ],
}
