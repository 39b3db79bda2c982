// The package as users get it: `npm run prebuild` makes a prebuilt addon,
// `npm pack` ships it, and installing the tarball needs no compiler.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { root } from './helpers';

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240000 });
}

describe('package', function () {
  this.timeout(300000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-pack-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a packed prebuild installs into an empty project and loads without compiling', () => {
    // Work on a copy of the package so the tree under test is not rebuilt.
    const first = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], root).trim().split('\n').pop()!;
    const pkg = path.join(tmp, 'pkg');
    fs.mkdirSync(pkg);
    sh('tar', ['xzf', path.join(tmp, first), '-C', pkg, '--strip-components=1'], tmp);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
    sh('npm', ['run', 'prebuild'], pkg);
    const prebuilds = fs.readdirSync(path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`));
    assert.ok(prebuilds.some((f) => f.endsWith('.node')), `no prebuild in ${prebuilds}`);
    fs.rmSync(path.join(pkg, 'build'), { recursive: true, force: true });
    fs.unlinkSync(path.join(pkg, 'node_modules'));
    const tarball = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], pkg).trim().split('\n').pop()!;
    const listing = sh('tar', ['tzf', path.join(tmp, tarball)], tmp);
    assert.match(listing, /package\/prebuilds\/linux-x64\/.*\.node/);
    assert.match(listing, /package\/dist\/index\.mjs/);
    assert.doesNotMatch(listing, /package\/build\//);

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, tarball)], app);
    assert.equal(fs.existsSync(path.join(app, 'node_modules', 'uvkit', 'build')), false, 'it compiled');
    const out = sh(process.execPath, ['-e', `
      const uv = require('uvkit');
      const loop = new uv.Loop();
      new uv.Timer(loop).start(() => console.log('timer fired'), 1);
      loop.run();
      import('uvkit').then((m) => console.log('esm', typeof m.Loop, m.libuvVersion));`], app);
    assert.equal(out, `timer fired\nesm function ${process.versions.uv}\n`);
  });
});
