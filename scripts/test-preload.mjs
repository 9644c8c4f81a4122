/**
 * Loaded first in every process of `npm test` (the tap runner, each test file and every Node
 * process a test starts), through NODE_OPTIONS set by scripts/test.ts.
 *
 * tap loads its process recorder (@tapjs/processinfo) in each of those processes. For every
 * module loaded it reads the file again and measures its lines, for coverage and for
 * `tap --changed`; the suite uses neither (coverage is disabled in package.json). That cost
 * about 0.75 s of CPU per process, on each of the ~220 processes of a run. The recorder skips
 * the files matching the pattern in this variable, read when it loads, so matching every file
 * turns the recording off. The runner itself sets the variable back for its own use, which is
 * harmless: each child resets it here, before its own recorder loads.
 *
 * Plain JavaScript: some tests start processes on other Node versions (the SDK's, on Node 20),
 * which inherit NODE_OPTIONS and cannot load TypeScript.
 */
process.env._TAPJS_PROCESSINFO_EXCLUDE_ = '/./';
