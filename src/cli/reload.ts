// `persomux reload`: asks a running router to read its configuration again
// (SIGHUP). On the box `systemctl reload persomux` does the same.
import { readFileSync } from 'node:fs';
import { command, help, parseOptions, UsageError } from './args.js';

const RELOAD_HELP = `Usage: persomux reload (--pid-file FILE | --pid N)

Sends SIGHUP to a running 'persomux run', which reads its configuration file
again: lines and servers are added, removed or changed without a restart, and
a file with mistakes is refused (the router keeps its running configuration
and logs each mistake). --pid-file names the file 'persomux run --pid-file'
wrote; --pid gives the process id itself.
`;

export function runReload(args: string[]): Promise<number> {
  return command(RELOAD_HELP, async () => {
    const o = parseOptions(args, { 'pid-file': { type: 'string' }, pid: { type: 'string' } });
    if (o.help) return help(RELOAD_HELP);
    const pid = o.pid !== undefined ? parsePid(o.pid, '--pid') : o['pid-file'] !== undefined ? pidFromFile(o['pid-file']) : undefined;
    if (pid === undefined) throw new UsageError('--pid-file FILE or --pid N is required');
    try {
      process.kill(pid, 'SIGHUP');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      process.stderr.write(`persomux reload: process ${pid}: ${code === 'ESRCH' ? 'no such process (is the router running?)' : code === 'EPERM' ? 'not allowed to signal it (run as the service user or root)' : String(code)}\n`);
      return 1;
    }
    process.stdout.write(`asked router (pid ${pid}) to reload; its log says what changed or why not\n`);
    return 0;
  });
}

function parsePid(text: string, where: string): number {
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid < 2) throw new UsageError(`${where}: '${text.trim().slice(0, 20)}' is not a process id`);
  return pid;
}

function pidFromFile(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--pid-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (is the router running with --pid-file?)' : 'cannot be read'}`);
  }
  return parsePid(text, file);
}
