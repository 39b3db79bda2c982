// The package as users get it: `npm run prebuilds` makes the prebuilt addons,
// `npm pack` ships them, and installing the tarball needs no compiler. Runs
// under whichever Node runs the suite (CI runs it on every supported line).
//
// Making the x64 prebuild takes a few minutes on a small machine; with
// UVKIT_TEST_PREBUILDS=<dir> (a prebuilds/ directory holding
// linux-x64/node.napi.glibc.node, e.g. from `npm run prebuilds`) the test
// packs that one instead of building its own.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { root } from './helpers';

const prebuild = path.join('prebuilds', 'linux-x64', 'node.napi.glibc.node');

function sh(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv, timeout = 240000): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
}

// The npm that runs the tests (npm sets npm_execpath), run by the Node under test.
function npmCli(): string {
  const exec = process.env.npm_execpath;
  if (exec && /npm-cli\.js$/.test(exec)) return exec;
  const npm = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  return path.join(path.dirname(npm), 'npm-cli.js');
}

describe('package', function () {
  this.timeout(900000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-pack-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('package.json: npm run build makes no prebuilds; engines, os, gypfile and the export conditions', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    // npm runs a script named `prebuild` before `build`: there must be none.
    assert.equal(pkg.scripts.prebuild, undefined);
    assert.match(pkg.scripts.prebuilds, /scripts\/prebuilds\.sh/);
    assert.equal(pkg.engines.node, '>=20');
    assert.deepEqual(pkg.os, ['linux']);
    assert.equal(pkg.gypfile, true);
    assert.deepEqual(pkg.exports['.'], {
      import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
      require: { types: './dist/index.d.ts', default: './dist/index.js' },
    });
  });

  it('a packed prebuild installs into an empty project with no compiler on PATH and loads (CJS and ESM)', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();

    // 1. The x64 prebuild, built from this checkout with the portable flags
    //    (scripts/prebuilds.sh also checks its GLIBC/GLIBCXX versions).
    let prebuilds = process.env.UVKIT_TEST_PREBUILDS;
    if (!prebuilds) {
      prebuilds = path.join(tmp, 'prebuilds');
      sh('bash', [path.join(root, 'scripts', 'prebuilds.sh'), 'x64'], root,
        { ...process.env, PREBUILDS_DIR: prebuilds }, 840000);
    }
    assert.ok(fs.existsSync(path.join(prebuilds, 'linux-x64', 'node.napi.glibc.node')), `no x64 prebuild in ${prebuilds}`);

    // 2. The tarball: this checkout's files with that prebuild (and no other).
    const first = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], root).trim().split('\n').pop()!;
    const pkg = path.join(tmp, 'pkg');
    fs.mkdirSync(pkg);
    sh('tar', ['xzf', path.join(tmp, first), '-C', pkg, '--strip-components=1'], tmp);
    fs.rmSync(path.join(pkg, 'prebuilds'), { recursive: true, force: true });
    fs.mkdirSync(path.join(pkg, 'prebuilds', 'linux-x64'), { recursive: true });
    fs.copyFileSync(path.join(prebuilds, 'linux-x64', 'node.napi.glibc.node'), path.join(pkg, prebuild));
    fs.rmSync(path.join(tmp, first));
    const tarball = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], pkg).trim().split('\n').pop()!;
    const listing = sh('tar', ['tzf', path.join(tmp, tarball)], tmp).split('\n');
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', prebuild, 'dist/index.js', 'dist/index.mjs',
      'dist/index.d.ts', 'dist/index.d.mts', 'binding.gyp']) {
      assert.ok(listing.includes(`package/${f}`), `${f} is not in the tarball`);
    }
    assert.ok(!listing.some((f) => f.startsWith('package/build/')), 'build/ is in the tarball');

    // 3. Install it with only node, npm and sh on PATH: no cc, c++, make or
    //    python, so node-gyp-build could not compile if no prebuild matched.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs install scripts with it
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli()}" "$@"\n`, { mode: 0o755 });
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^npm_/i.test(k) && k !== 'PATH' && k !== 'UVKIT_PREBUILD') env[k] = v;
    }
    env.PATH = bin;
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3', 'python']) {
      assert.throws(() => sh("/bin/sh", ["-c", `command -v ${tool}`], tmp, env), Error, `${tool} is reachable`);
    }
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
    sh(path.join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, tarball)], app, env);
    const installed = path.join(app, 'node_modules', 'uvkit');
    assert.equal(fs.existsSync(path.join(installed, 'build')), false, 'it compiled (node_modules/uvkit/build exists)');

    // 4. It loads the prebuild, from CommonJS and from an ES module.
    const out = sh(process.execPath, ['-e', `
      const uv = require('uvkit');
      console.log(require('path').relative(process.cwd() + '/node_modules/uvkit',
        require('node-gyp-build').resolve(process.cwd() + '/node_modules/uvkit')));
      const loop = new uv.Loop();
      new uv.Timer(loop).start((t) => { console.log('timer fired'); t.close(); }, 1);
      loop.run();
      loop.close();
      import('uvkit').then((m) => console.log('esm', typeof m.Loop, m.libuvVersion, m.default.Loop === m.Loop));`],
    app, env);
    assert.equal(out, `${prebuild}\ntimer fired\nesm function ${process.versions.uv} true\n`);
  });
});
