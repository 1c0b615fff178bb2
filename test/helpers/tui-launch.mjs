// Starts the built interactive screen directly (for trying the TUI before the CLI routes to it):
//   node test/helpers/tui-launch.mjs connect 127.0.0.1 8888 [encoding]
//   node test/helpers/tui-launch.mjs listen 127.0.0.1 0
import { runTui } from '../../dist/ui/run-tui.js';

const [kind, host, port, encoding = 'utf8', keep] = process.argv.slice(2);
const options = {
  udp: false,
  socket: {},
  halfClose: false,
  sendOnly: false,
  recvOnly: false,
  keepOpen: keep === 'k',
  broker: false,
  encoding,
  endian: 'be',
  eol: 'lf',
  frame: [],
  fault: [],
  plugin: [],
  json: false,
  verbose: false,
};
process.exitCode = await runTui({ kind, host, port: Number(port), options });
