// Writes dist/index.mjs: an ES module that re-exports the CommonJS build by
// name, so `import { Loop } from 'uvkit'` works.
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default');
const text =
  "import cjs from './index.js';\n" +
  `export const { ${names.join(', ')} } = cjs;\n` +
  'export default cjs;\n';
fs.writeFileSync(path.join(dist, 'index.mjs'), text);
