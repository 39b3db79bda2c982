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
        'native/errors.cc',
        'native/util.cc',
        'native/fs_event.cc',
        'native/fs_poll.cc',
        'native/process.cc',
      ],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wno-unused-parameter'],
      'cflags_cc!': ['-fno-exceptions'],
    },
  ],
}
