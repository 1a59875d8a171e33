import { runCli } from './index';

/** Exits once stdout and stderr are flushed: process.exit() alone can cut a piped JSON document short. */
function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

void runCli(process.argv.slice(2)).then(exitWhenFlushed);
