import path from 'node:path';
import { writeWorkflowBundle } from '../src/temporal/bundle';
import { PREBUILT_WORKFLOW_BUNDLE } from '../src/temporal/worker';

/** `npm run build` step: the bundle the compiled worker loads (dist/workflow-bundle.js). */
const output = path.resolve(__dirname, '..', 'dist', path.basename(PREBUILT_WORKFLOW_BUNDLE));

writeWorkflowBundle(output)
  .then(() => console.log(`wrote ${path.relative(process.cwd(), output)}`))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
