import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

describe('random calls (seeded, bounded)', function () {
  this.timeout(120000);
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 3000 random calls neither crash, hang nor leak an fd`, () => {
      const res = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'fuzz.js'), String(seed), '3000'], {
        encoding: 'utf8',
        timeout: 60000,
      });
      assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr}`);
      assert.equal(res.status, 0, res.stderr);
      const summary = JSON.parse(res.stdout);
      assert.deepEqual(summary.suspicious, []);
      assert.equal(summary.fdDelta, 0);
      assert.ok(summary.counts.calls > 2900 && summary.counts.made > 100, JSON.stringify(summary.counts));
      assert.ok(summary.counts.ok > 500 && summary.counts.uvErrors + summary.counts.typeErrors > 100,
        JSON.stringify(summary.counts));
    });
  }
});
