import module from 'node:module';

// Every test file and every process it starts load the same few thousand modules: V8's compiled
// code for them is kept on disk (NODE_COMPILE_CACHE, or the system's temporary folder) and
// reused, which saves about half a second of CPU per process. A changed file is compiled anew.
const { directory } = module.enableCompileCache();
if (directory) process.env.NODE_COMPILE_CACHE ??= directory;
