import { parseArgs } from 'node:util';
import { DEFAULT_OUT_DIR, runGenerate } from './run-generate.js';

// `npm run generate [-- --check] [--spec PATH] [--out DIR]`
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    spec: { type: 'string', default: 'asyncapi.yaml' },
    out: { type: 'string', default: DEFAULT_OUT_DIR },
  },
  strict: true,
});
process.exitCode = await runGenerate({ specPath: values.spec, outDir: values.out, check: values.check });
