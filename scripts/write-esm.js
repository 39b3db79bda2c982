// Writes the ES module entry of the package next to the CommonJS build:
// - dist/index.mjs: re-exports the CommonJS build by name, so
//   `import { Loop } from 'uvkit'` works (one copy of the code and state);
// - dist/index.d.mts: its types, an ES module declaration file, so that
//   TypeScript under node16/nodenext/bundler sees the ESM entry as ESM
//   (`npm run check:types` runs @arethetypeswrong/cli over the packed tarball).
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default');
const text =
  "import cjs from './index.js';\n" +
  `export const { ${names.join(', ')} } = cjs;\n` +
  'export default cjs;\n';
fs.writeFileSync(path.join(dist, 'index.mjs'), text);

const types =
  '// Types of the ES module entry (dist/index.mjs): the same exports as dist/index.d.ts,\n' +
  '// and the default export is the CommonJS module object.\n' +
  "export * from './index.js';\n" +
  "import * as uvkit from './index.js';\n" +
  'export default uvkit;\n';
fs.writeFileSync(path.join(dist, 'index.d.mts'), types);
