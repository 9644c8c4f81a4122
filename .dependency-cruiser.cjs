// Module boundaries of api/src, checked by `npm run lint:deps` (part of `npm test`).
// See docs/architecture.md#modules for the map and why the rules are what they are.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A file must not reach itself through its imports: break the cycle with a narrow dependency handed in by services.ts, or the event outbox.',
      // The transport/provider cycle in mail/ goes with the rewrite of the sending path (issue 10 names it).
      from: { path: '^api/src/', pathNot: '^api/src/mail/(transport|resend|outbox)[.]ts$' },
      to: { circular: true },
    },
    {
      name: 'domain-module-door',
      severity: 'error',
      comment: "A domain module is entered through its index.ts only; its other files are internal. Export what you need from the module's index.ts.",
      from: { path: '^api/src/domain/([^/]+)/' },
      to: { path: '^api/src/domain/[^/]+/', pathNot: ['^api/src/domain/$1/', '^api/src/domain/[^/]+/index[.]ts$'] },
    },
    {
      name: 'adapter-uses-module-door',
      severity: 'error',
      comment: "Routes, resolvers, jobs, mail, the CLI and services.ts reach a domain module through its index.ts only.",
      from: { path: '^api/src/', pathNot: '^api/src/domain/' },
      to: { path: '^api/src/domain/[^/]+/', pathNot: '^api/src/domain/[^/]+/index[.]ts$' },
    },
    {
      name: 'domain-stays-below-adapters',
      severity: 'error',
      comment: 'The domain does not know its adapters: no HTTP, GraphQL, jobs or CLI from domain/.',
      from: { path: '^api/src/domain/' },
      to: { path: '^api/src/(http|graphql|jobs|cli[.]ts|main[.]ts|app[.]ts|services[.]ts)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^api/src/store/db-types[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
