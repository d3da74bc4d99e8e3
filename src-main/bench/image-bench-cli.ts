// The `glassmaster image` command as a standalone process, for the benchmark (bundled to plain JS).
import { runImageCommand } from '../image/cli-image';

const code = await runImageCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
