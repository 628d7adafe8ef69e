/**
 * The layering rule (docs/architecture.md): each folder may import only the
 * folders listed below it here. `npm run lint:layers` checks it, and so does CI.
 *
 *   commands, cli, main     entry points
 *   local                   the dev stack and embedded servers
 *   services                composition: builds the worker and the API from configuration
 *   api                     GraphQL
 *   use-cases               what the API and the CLI both do
 *   temporal                client, schedules, worker
 *   workflows               deterministic orchestration
 *   activities              all I/O of a sync
 *   config                  the environment, parsed once
 *   moodle, store           adapters
 *   support                 secrets, logging, metrics and tracing plumbing
 *   domain                  pure logic
 *
 * The Moodle simulator is a separate tool: nothing in the service imports it
 * but the dev stack and the CLI.
 */
const layers = [
  { name: 'domain', path: '^src/domain/' },
  { name: 'support', path: '^src/((secret|logger)\\.ts$|metrics/|telemetry/)' },
  { name: 'adapters', path: '^src/(moodle|store)/' },
  { name: 'config', path: '^src/config/' },
  { name: 'activities', path: '^activities/' },
  { name: 'workflows', path: '^workflows/' },
  { name: 'temporal', path: '^src/temporal/' },
  { name: 'use-cases', path: '^src/use-cases/' },
  { name: 'api', path: '^src/api/' },
  { name: 'services', path: '^src/services/' },
  { name: 'local', path: '^src/local/' },
  { name: 'entry points', path: '^src/(commands/|cli\\.ts$|main\\.ts$)' },
];

const upwards = layers.slice(0, -1).map((layer, index) => ({
  name: `${layer.name}-imports-upwards`,
  comment: `${layer.name} may import only layers below it`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: layers.slice(index + 1).map((above) => above.path) },
}));

module.exports = {
  forbidden: [
    ...upwards,
    {
      name: 'no-circular',
      comment: 'Modules import each other in one direction only.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'The domain computes; it reads no clock, file, network or database. ' +
        'Allowed: hashing, and html-entities (a pure decoding table).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'core'], pathNot: '^(crypto|node_modules/html-entities/.*)$' },
    },
    {
      name: 'domain-imports-no-adapter',
      comment: 'The domain owns its types; adapters depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/)' },
    },
    {
      name: 'api-knows-no-driver',
      comment: 'The API reaches MongoDB only through the store.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: 'node_modules/(mongodb|bson)/' },
    },
    {
      name: 'workflows-run-in-the-sandbox',
      comment:
        'Workflow code imports only the domain, its own folder, activity types, @temporalio/workflow ' +
        'and the OpenTelemetry interceptors made for the sandbox (the workflow entry of the contrib package).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: [
          '^workflows/',
          '^src/domain/',
          '^activities/',
          'node_modules/@temporalio/(workflow|common)/',
          'node_modules/@temporalio/interceptors-opentelemetry/lib/workflow/',
        ],
      },
    },
    {
      name: 'workflows-import-activity-types-only',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'simulator-stays-outside-the-service',
      comment: 'Only the dev stack, the CLI and tests use the Moodle simulator.',
      severity: 'error',
      from: { path: '^(src/(domain|moodle|store|config|temporal|use-cases|api|services)/|activities/|workflows/)' },
      to: { path: '^src/moodle-sim/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules stays in the graph (not followed), or the rules about npm packages would never fire.
    exclude: { path: '^(dist|\\.tools|\\.local|coverage)/' },
  },
};
